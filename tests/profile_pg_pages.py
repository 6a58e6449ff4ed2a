"""What a page view asks of PostgreSQL: `python -m tests.profile_pg_pages [--rounds 2] [--explain 3]`.

The national store of tests/bench_pages.py copied to a throwaway cluster started with
pg_stat_statements; one board (AppTest, in this process) renders the pages of
tests/bench_servers.PAGES round after round, as one board of the bench does; then the
statements are listed by total server time: calls per page view, rows, mean ms, and with
`--explain N` the EXPLAIN (ANALYZE, BUFFERS) of the N costliest (their parameters are not
kept by pg_stat_statements, so each is captured from the board's own calls). Not a pytest
module; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.bench_pages import DEFAULT_DIR, ensure_store, paths, use_directory
from tests.bench_servers import PAGES, ROOT, server_cpu

_TOP = """
    SELECT queryid, calls, round(total_exec_time::numeric, 1) AS total_ms,
           round(mean_exec_time::numeric, 2) AS mean_ms, rows,
           shared_blks_hit + shared_blks_read AS blocks, left(regexp_replace(query, '\\s+', ' ', 'g'), 300)
    FROM pg_stat_statements
    WHERE query NOT LIKE '%pg_stat_statements%'
    ORDER BY total_exec_time DESC LIMIT {top}
"""


def capture_calls(store: object, keep: dict[str, tuple[str, object]]) -> None:
    """Wrap the store's cursor so the first parameters of each statement text are kept (for
    EXPLAIN): keep[normalised text] = (psycopg text, params)."""
    from analytics import store_pg

    original = store_pg._Cursor.execute

    def execute(self: store_pg._Cursor, sql: str, params: object = None) -> store_pg._Cursor:
        if params:
            keep.setdefault(" ".join(sql.split())[:120], (store_pg._placeholders(sql), list(params)))
        return original(self, sql, params)

    original_arrow = store_pg._Cursor.arrow

    def arrow(self: store_pg._Cursor, sql: str, params: object = None) -> object:
        if params:
            text, args = (
                (sql, params) if isinstance(params, dict) else (store_pg._placeholders(sql), list(params))
            )
            keep.setdefault(" ".join(sql.split())[:120], (text, args))
        return original_arrow(self, sql, params)

    store_pg._Cursor.execute = execute
    store_pg._Cursor.arrow = arrow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.profile_pg_pages", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the national store is kept")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the pages")
    parser.add_argument("--top", type=int, default=15, help="statements listed")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N costliest captured")
    parser.add_argument(
        "--load",
        type=int,
        default=0,
        help="first load the bench's two files of this many rows (as the bench's loads)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the cluster running (prints its URL)")
    args = parser.parse_args(argv)
    directory = args.dir.resolve()
    os.chdir(ROOT)
    use_directory(directory)
    ensure_store(directory, regenerate=False)
    import psycopg
    from streamlit.testing.v1 import AppTest

    from loaders.service import copy_store
    from tests.pg_cluster import Cluster

    cluster = Cluster(settings={"shared_preload_libraries": "pg_stat_statements"}).start()
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as con:
            con.execute("CREATE EXTENSION pg_stat_statements")
        url = cluster.new_schema()
        copy_store(paths(directory)["db"], url)
        os.environ["BOARD_DB"] = url
        if args.load:
            from analytics import reference
            from tests.bench_servers import LOADS, load_child, make_file

            codes = reference.read_units().query("kind == 'municipality'")["unit_id"].tolist()
            scratch = Path(tempfile.mkdtemp(prefix="profile-pg-"))
            for indicator in LOADS:
                print(load_child(make_file(scratch, indicator, args.load, codes), indicator, url), flush=True)
            shutil.rmtree(scratch, ignore_errors=True)
        keep: dict[str, tuple[str, object]] = {}
        if args.explain:
            from analytics.store_pg import PostgresStore

            capture_calls(PostgresStore, keep)
        with psycopg.connect(cluster.url(), autocommit=True) as con:
            con.execute("SELECT pg_stat_statements_reset()")
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.run()
        views, started, cpu = 0, time.perf_counter(), server_cpu(cluster.data)
        for _ in range(args.rounds):
            for page in PAGES:
                began, board_cpu, server = time.perf_counter(), time.process_time(), server_cpu(cluster.data)
                at.switch_page(page)
                at.run()
                views += 1
                problems = [str(e.value)[:200] for e in [*at.exception, *at.error]]
                print(
                    f"{page}: {time.perf_counter() - began:.3f} s, tavla {time.process_time() - board_cpu:.3f} "
                    f"CPU-s, tjeneren {server_cpu(cluster.data) - server:.3f} CPU-s {problems or ''}",
                    flush=True,
                )
        cpu = server_cpu(cluster.data) - cpu
        print(
            f"\n{views} sidevisninger, {time.perf_counter() - started:.1f} s, tjenerens CPU {cpu:.2f} s "
            f"= {cpu / views:.3f} s per visning, last {os.getloadavg()[0]:.1f}\n"
        )
        with psycopg.connect(cluster.url(), autocommit=True) as con:
            total = con.execute(
                "SELECT sum(calls), sum(total_exec_time) FROM pg_stat_statements "
                "WHERE query NOT LIKE '%pg_stat_statements%'"
            ).fetchone()
            print(f"alle setninger: {total[0]} kall ({total[0] / views:.1f} per visning), {total[1]:.0f} ms")
            print(f"{'kall/vis':>8} {'sum ms':>9} {'snitt ms':>9} {'rader':>8} {'blokker':>8}  setning")
            for _, calls, total_ms, mean_ms, rows, blocks, query in con.execute(
                _TOP.format(top=int(args.top))
            ):
                print(f"{calls / views:>8.1f} {total_ms:>9} {mean_ms:>9} {rows:>8} {blocks:>8}  {query}")
        if args.explain:
            with psycopg.connect(url, autocommit=True) as con:
                costs = []
                for text, params in keep.values():
                    started = time.perf_counter()
                    try:
                        con.execute(text, params).fetchall()
                    except psycopg.Error:
                        continue
                    costs.append((time.perf_counter() - started, text, params))
                for seconds, text, params in sorted(costs, key=lambda c: c[0], reverse=True)[: args.explain]:
                    print(f"\n--- {seconds * 1000:.0f} ms: {' '.join(text.split())[:200]}")
                    for (line,) in con.execute(f"EXPLAIN (ANALYZE, BUFFERS) {text}", params):
                        print(line)
        if args.keep:
            print(f"\nklyngen kjører: {url} (stopp: pg_ctl -D {cluster.data} stop)")
            return 0
    except BaseException:
        cluster.stop()
        raise
    cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
