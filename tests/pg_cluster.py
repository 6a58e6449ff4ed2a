"""A throwaway PostgreSQL cluster for the tests and the bench: initdb + pg_ctl in a temp dir.

Debian's server binaries (package postgresql, /usr/lib/postgresql/<v>/bin) are used; the
cluster listens on a unix socket in its own directory and on 127.0.0.1 at a free port, trusts
local connections, and is stopped (fast) and deleted at the end. PostgreSQL refuses to run as
root, so as root the cluster runs as the system user `postgres` (created by the package).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def server_bin() -> Path:
    """The newest installed server's bin directory; RuntimeError when none is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (see .ci/run)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running cluster; `url(schema)` gives a connection string with its own search_path."""

    def __init__(self, directory: Path | None = None, settings: dict[str, str] | None = None) -> None:
        """`settings`: extra server settings (``-c name=value``), e.g. the bench's
        ``{"shared_preload_libraries": "pg_stat_statements"}`` to list what the pages send."""
        self.settings = dict(settings or {})
        self.dir = Path(directory or tempfile.mkdtemp(prefix="board-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, text=True)

    def start(self) -> Cluster:
        bin_dir = server_bin()
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            str(bin_dir / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        return self._launch()

    def standby(self) -> Cluster:
        """A streaming standby of this cluster (a read replica), started on its own port:
        pg_basebackup -R copies the data directory and writes the standby's primary_conninfo,
        so it replays this cluster's WAL as it comes (hot standby: read-only queries)."""
        replica = Cluster()
        if replica._as_user:
            shutil.chown(replica.dir, "postgres", "postgres")
        self._run(
            str(server_bin() / "pg_basebackup"), "-D", str(replica.data), "-R", "-X", "stream",
            "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        return replica._launch()

    def _launch(self) -> Cluster:
        bin_dir = server_bin()
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200 -c shared_buffers=128MB"
        ) + "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(str(bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.dir / "log"), "start")  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            self._run(str(server_bin() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, schema: str | None = None, dbname: str = "postgres") -> str:
        """postgresql://user@127.0.0.1:port/db (with `schema` as the search_path when given)."""
        url = f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"
        return f"{url}?options=-csearch_path%3D{schema}" if schema else url

    def new_schema(self) -> str:
        """A fresh, empty schema's URL: each test its own store in one cluster."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {name}")
        return self.url(name)
