"""Benchmark: our ingest of a 1 000 000-row NPR-style file against bare DuckDB and pandas.

    python -m loaders.bench [--rows 1000000,3000000] [--repeat 3] [--keep DIR]

The file is what NPR sends: windows-1252 (with a title «–», so it needs the transcoding
path), `;`, decimal comma, units as "CODE Name" with æøå, periods 2004M01…, a few suppressed
cells, a footnote. Its rows are synthetic units × 250 months (4 000 units per million rows), so the bench runs on its
own reference units (no plan needed). Each measurement runs in a fresh child process, timed
around the work only; peak RSS is the child's own high-water mark (/proc/self/status VmHWM,
imports included).

- ours: `Loader.ingest` into a new store: sniff, transcode, DuckDB parse, map units and
  periods, every validation rule, one transaction into facts + the upload log.
- bare DuckDB: `CREATE TABLE AS SELECT * FROM read_csv(...)` of the same rows saved as UTF-8.
- pandas: `read_csv(encoding="cp1252", sep=";", decimal=",")` + insert into DuckDB, its fastest
  (C) engine; the footnote line comes in as a junk row. Dropping it takes `skipfooter`, which
  only the python engine has: that figure is printed too, for context, not for the goal.
- the floor: what no loader writing into this board can skip, measured in parts: transcoding
  windows-1252 (DuckDB has no such decoder offline), bare DuckDB's read into memory, and
  writing the same number of finished facts into the board's eleven-column `facts` table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UNITS, MONTHS = 12000, 250  # room for 3 000 000 rows, each key once
INDICATOR = "hip_fractures"
TITLE = "NPR-uttrekk – innleggelser etter hoftebrudd (syntetisk testfil)"
FOOTER = "Kilde: Norsk pasientregister – syntetiske tall. «:» = skjult (færre enn 5)."


def unit_rows() -> list[tuple[str, str]]:
    """Synthetic units (six-digit codes 500000–511999 are not in the board's reference units)."""
    letters = ["Ås", "Sør", "Øst", "Ærø", "Lø", "Rå", "Bø", "Nes"]
    return [(str(500000 + i), f"{letters[i % len(letters)]}-kommune {i}") for i in range(UNITS)]


def make_file(directory: Path, rows: int) -> tuple[Path, Path]:
    """The NPR-style file (windows-1252) and the same rows as UTF-8 for bare DuckDB."""
    rng = random.Random(20240101)
    months = [f"{y}M{m:02d}" for y in range(2004, 2030) for m in range(1, 13)][:MONTHS]
    lines = [TITLE, "Kommune;Periode;Antall"]
    units = unit_rows()
    for index in range(rows):
        code, name = units[(index // MONTHS) % UNITS]
        draw = rng.random()
        if draw < 0.01:
            value = ":"
        elif draw < 0.3:
            value = f"{rng.randint(0, 99)},{rng.randint(0, 9)}"
        else:
            value = str(rng.randint(0, 999))
        lines.append(f"{code} {name};{months[index % MONTHS]};{value}")
    text = "\r\n".join([*lines, "", FOOTER]) + "\r\n"
    npr, utf8 = directory / "npr.csv", directory / "npr_utf8.csv"
    npr.write_bytes(text.encode("cp1252"))
    utf8.write_bytes(text.encode("utf-8"))
    return npr, utf8


# -- the three measurements, each run in a child process -----------------------------------


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ours(path: str, db: str) -> dict:
    import pandas as pd

    from analytics.board import Board
    from analytics.registry import load_registry
    from analytics.store import Store
    from loaders.service import Loader

    units = pd.DataFrame(unit_rows(), columns=["unit_id", "name"]).assign(
        kind="municipality", region=None, partnership="bench"
    )
    codes = pd.DataFrame(columns=["old_code", "old_name", "current_code", "changed"])
    store = Store(db)
    store.sync_reference(units, codes)
    loader = Loader.for_board(Board(registry=load_registry(), plans={}, units=units, store=store))
    start = time.perf_counter()
    report = loader.ingest(Path(path), INDICATOR, loaded_by="bench")
    seconds = time.perf_counter() - start
    if not report.ok or report.result is None:
        raise SystemExit(f"ingest failed: {report.summary()} {report.problem_lines()[:3]}")
    return {"seconds": seconds, "rows": report.result.rows_in, "peak_mb": _peak_mb()}


def _bare_read(path: str, db: str, table: str) -> dict:
    import duckdb

    con = duckdb.connect(db)
    start = time.perf_counter()
    con.execute(
        f"CREATE {table} bare AS SELECT * FROM read_csv(?, delim = ';', skip = 1, header = true, "
        "decimal_separator = ',', null_padding = true, nullstr = ':')",
        [path],
    )
    seconds = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM bare").fetchone()[0]
    con.close()
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}


def child_duckdb(path: str, db: str) -> dict:
    return _bare_read(path, db, "TABLE")


def child_parse(path: str, db: str) -> dict:
    """Bare DuckDB's read into memory (a TEMP table): the reading part of the floor."""
    return _bare_read(path, db, "TEMP TABLE")


def child_pandas(path: str, db: str) -> dict:
    import duckdb
    import pandas as pd

    con = duckdb.connect(db)
    start = time.perf_counter()
    frame = pd.read_csv(path, sep=";", encoding="cp1252", decimal=",", skiprows=1, na_values=[":"])
    con.register("frame", frame)
    con.execute("CREATE TABLE plain AS SELECT * FROM frame")
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "rows": len(frame), "peak_mb": _peak_mb()}


def child_store(path: str, db: str) -> dict:
    """The part of ours no loader can skip: writing the file's facts, finished, into the board's
    `facts` table (eleven columns) in one committed transaction. The facts are made in memory
    first (not timed), so this is the write alone, with no reading, mapping or checking.
    `path` is not a file here: it carries the number of facts."""
    from analytics.store import Store

    rows = int(path)
    store = Store(db)
    with store.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE ready AS SELECT 'hip_fractures' AS indicator, "
            "(5000 + (i // ?) % ?)::VARCHAR AS unit_id, DATE '2004-01-01' + to_months((i % ?)::INTEGER) "
            "AS period_start, 'month' AS grain, CASE WHEN i % 100 = 0 THEN NULL ELSE (i % 1000) / 10 END "
            "AS value, NULL::DOUBLE AS numerator, NULL::DOUBLE AS denominator, i % 100 = 0 AS suppressed, "
            "'NPR' AS source, 1 AS upload_id, false AS file_total FROM range(?) t(i)",
            [MONTHS, UNITS, MONTHS, rows],
        )
        start = time.perf_counter()
        cur.execute("BEGIN")
        cur.execute("INSERT INTO facts SELECT * FROM ready")
        cur.execute("COMMIT")
        seconds = time.perf_counter() - start
        written = cur.execute("SELECT count(*) FROM facts").fetchone()[0]
    return {"seconds": seconds, "rows": written, "peak_mb": _peak_mb()}


def child_pandas_footer(path: str, db: str) -> dict:
    """pandas dropping NPR's footnote lines as it must: skipfooter, which needs the python engine."""
    import duckdb
    import pandas as pd

    con = duckdb.connect(db)
    start = time.perf_counter()
    frame = pd.read_csv(
        path,
        sep=";",
        encoding="cp1252",
        decimal=",",
        skiprows=1,
        skipfooter=2,
        na_values=[":"],
        engine="python",
    )
    con.register("frame", frame)
    con.execute("CREATE TABLE plain AS SELECT * FROM frame")
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "rows": len(frame), "peak_mb": _peak_mb()}


CHILDREN = {
    "ours": child_ours,
    "duckdb": child_duckdb,
    "pandas": child_pandas,
    "pandas_footer": child_pandas_footer,
    "store": child_store,
    "parse": child_parse,
}


def transcode_seconds(path: Path, directory: Path) -> float:
    from loaders.formats.text import _transcode

    start = time.perf_counter()
    _transcode(path, "cp1252", directory / "transcoded.csv")
    seconds = time.perf_counter() - start
    (directory / "transcoded.csv").unlink()
    return seconds


def run_child(kind: str, path: Path, directory: Path, run: int) -> dict:
    db = directory / f"{kind}-{run}.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "loaders.bench", "--child", kind, str(path), str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    for suffix in ("", ".wal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(rows: int, repeat: int, directory: Path, compare: bool) -> dict:
    """Ours and the floor's parts (and, when `compare`, bare DuckDB and pandas) at one size."""
    npr, utf8 = make_file(directory, rows)
    size_mb = npr.stat().st_size / 1024 / 1024
    shown = f"{rows:,}".replace(",", " ")
    print(f"{shown} rows NPR-style (windows-1252, ';', decimal comma), {size_mb:.1f} MB")
    kinds = ["ours", "store", "parse", *(["duckdb", "pandas"] if compare else [])]
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for run in range(repeat):  # interleaved, so a slow moment hurts all alike
        for kind in kinds:
            source = {"duckdb": utf8, "parse": utf8, "store": Path(str(rows))}.get(kind, npr)
            runs[kind].append(run_child(kind, source, directory, run))
    if compare:
        runs["pandas_footer"] = [run_child("pandas_footer", npr, directory, 0)]  # slow: once
    copy = transcode_seconds(npr, directory)
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    floor = copy + median["parse"] + median["store"]
    peak = max(r["peak_mb"] for r in runs["ours"])
    print(
        f"  ours   ingest (read, map, validate, store):   {median['ours']:.2f} s  ({runs['ours'][0]['rows']:,} facts)"
    )
    print(f"  floor: transcoding {copy:.2f} s + bare DuckDB read into memory {median['parse']:.2f} s")
    print(f"         + writing {shown} finished facts into the store {median['store']:.2f} s = {floor:.2f} s")
    print(f"  ours = {median['ours'] / floor:.2f}× the floor (goal ≤ 1.5×); peak RSS {peak:.0f} MB")
    if compare:
        print(f"  bare   DuckDB read_csv of the same rows, UTF-8: {median['duckdb']:.2f} s")
        print(f"  pandas read_csv + insert:                      {median['pandas']:.2f} s")
        print(
            f"  (pandas dropping the footnotes, skipfooter:    {median['pandas_footer']:.2f} s; "
            "the python engine, once; not used for the goal)"
        )
        print(
            f"  ours / bare DuckDB = {median['ours'] / median['duckdb']:.2f}×; "
            f"pandas / ours = {median['pandas'] / median['ours']:.2f}×"
        )
    for name in (npr, utf8):
        name.unlink()
    return {"rows": rows, "ours": median["ours"], "floor": floor, "peak_mb": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,3000000", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, path, db = args.child
        print(json.dumps(CHILDREN[kind](path, db)))
        return 0

    sizes = [int(n) for n in args.rows.split(",")]
    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        results = [measure(rows, args.repeat, directory, compare=i == 0) for i, rows in enumerate(sizes)]
    print(f"(median of {args.repeat} runs, each in a fresh process; the floor measured in the same run)")
    for result in results:
        millions = result["rows"] / 1_000_000
        print(
            f"  {millions:g} M rows: ours {result['ours'] / result['floor']:.2f}× the floor (goal ≤ 1.5×), "
            f"peak RSS {result['peak_mb']:.0f} MB (goal < 600 MB at 3 M)"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = (last["peak_mb"] - first["peak_mb"]) / ((last["rows"] - first["rows"]) / 1_000_000)
        print(f"  peak RSS grows {growth:.0f} MB per million rows (goal ≤ about 210)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
