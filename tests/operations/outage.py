"""Make the test database really unavailable for a while: SQLite points at a file that cannot be opened,
PostgreSQL at a closed port. Every new connection (any thread) fails until the block ends."""

from contextlib import contextmanager

from django.db import connections


@contextmanager
def database_unavailable(alias="default"):
    conn = connections[alias]
    dicts = {id(d): d for d in (conn.settings_dict, connections.settings[alias])}.values()
    saved = [dict(d) for d in dicts]
    held = None
    if conn.vendor == "sqlite":
        # The in-memory test database lives as long as one connection to it is open: keep this one aside.
        held, conn.connection = conn.connection, None
        for d in dicts:
            d["NAME"] = "/nonexistent-lims-outage/db.sqlite3"
    else:
        conn.close()
        for d in dicts:
            d["HOST"], d["PORT"] = "127.0.0.1", "9"  # discard port: nothing listens, the connection is refused
    try:
        yield
    finally:
        if conn.vendor != "sqlite":
            conn.close()
        conn.connection = None
        for d, before in zip(dicts, saved, strict=True):
            d.clear()
            d.update(before)
        if held is not None:
            conn.connection = held
