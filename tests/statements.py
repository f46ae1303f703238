"""Counting the SQL a request runs, apart from authentication's.

A credential new to the process is checked against the failed-credentials throttle before it is
verified (api/credential_throttle.py): one read of `credential_failures`, once per token and
process, whatever the query. Tests that count a query's statements leave it out."""

from __future__ import annotations


def is_authentication(statement: str) -> bool:
    return "credential_failures" in statement
