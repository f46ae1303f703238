"""GraphiQL served from c360's own files: the page at GET /graphql, its assets under /graphiql/.

The assets are pinned npm builds committed under static/vendor/ with their licenses
(static/vendor/README.md says which and how they were fetched; `./dev graphiql-vendor` checks
them against the registry), so the page works on a machine with no route to the internet. Its
Content-Security-Policy lets the page load and call nothing but this server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIRECTORY = Path(__file__).resolve().parent
STATIC = DIRECTORY / "static"
PREFIX = "/graphiql"
# React sets style attributes, hence 'unsafe-inline' for styles only; no script but our files.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_PAGE = (DIRECTORY / "index.html").read_text()


def page() -> Response:
    return HTMLResponse(
        _PAGE,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        },
    )


class Assets(StaticFiles):
    """The page's files: the versioned vendor/ builds cached for a year, ours revalidated."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC)

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        immutable = str(full_path).startswith(str(STATIC / "vendor"))
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
