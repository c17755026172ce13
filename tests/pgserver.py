"""A throwaway PostgreSQL cluster on a unix socket, for the test suite's PostgreSQL pass.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` system user
(created by the Debian package) and the commands run through ``runuser``. Nothing listens on TCP.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

PG_USER = "lpost"


def find_bindir() -> Path | None:
    """Directory with initdb/pg_ctl: $PG_BINDIR, then PATH, then Debian's /usr/lib/postgresql/*/bin."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


class TempPostgres:
    """``with TempPostgres() as pg: url = pg.create_database("x")`` -- stopped and deleted on exit."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.dir: Path | None = None
        self._as: list[str] = []

    @property
    def socket_dir(self) -> Path:
        assert self.dir is not None
        return self.dir / "sock"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{PG_USER}@/{dbname}?host={quote(str(self.socket_dir), safe='')}"

    def _run(self, *args: str) -> None:
        proc = subprocess.run([*self._as, *args], capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"{Path(args[0]).name} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def start(self) -> "TempPostgres":
        self.dir = Path(tempfile.mkdtemp(prefix="lpost-pg-"))
        data = self.dir / "data"
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.socket_dir, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        # small and fast: a test server, not a production one (fsync off, tiny buffers, no TCP)
        opts = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                " -c full_page_writes=off -c shared_buffers=32MB -c max_connections=200")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "-t", "60", "start")
        return self

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        return self.url(name)

    def create_schema(self, dbname: str, schema: str) -> str:
        """A fresh schema (cheaper than a database): one case per schema."""
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return self.url(dbname) + f"&options={quote('-csearch_path=' + schema, safe='')}"

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass  # never started, or already gone
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> "TempPostgres":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
