"""A real uvicorn server on a free loopback port, serving the app in the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from domain.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def live_server(settings: Settings, engine: AsyncEngine) -> AsyncIterator[str]:
    """Yields the server's base URL (http://127.0.0.1:PORT) while it serves."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning", log_config=None)
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(1000):  # uvicorn offers no "started" event
            if server.started or serving.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
