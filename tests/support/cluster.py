"""The test cluster itself: restart it (as its own server tools do), find a closed port."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BINDIR = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")


def restart_cluster(conn: psycopg.Connection) -> None:
    """Restart the PostgreSQL server `conn` is connected to (fast: sessions are ended).

    The data directory is the server's own (`show data_directory`), so this is always
    the cluster the tests use; pg_ctl runs as the postgres OS user when the tests run
    as root (scripts/pg_home.sh: as_pg), logging to the cluster's usual log file.
    """
    row = conn.execute("show data_directory").fetchone()
    assert row is not None
    datadir = row[0]
    script = (
        f'source "{ROOT}/scripts/pg_home.sh"; '
        f'as_pg "{PG_BINDIR}/pg_ctl" -D "{datadir}" -l "{datadir}.log" -m fast -w -t 60 restart'
    )
    subprocess.run(["bash", "-c", script], check=True, capture_output=True, text=True, timeout=120)


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
