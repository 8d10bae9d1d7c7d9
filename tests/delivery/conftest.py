"""Delivery tests: the outbox on SQLite and, where claims race, on PostgreSQL too."""

from __future__ import annotations

from tests.reporting.conftest import postgres_server_url, postgres_url

__all__ = ["postgres_server_url", "postgres_url"]
