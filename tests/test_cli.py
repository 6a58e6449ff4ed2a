"""`python -m loaders` for scheduled loads: ingest, export, log, undo; exit codes 0, 2 and 1."""

from __future__ import annotations

import pytest

from loaders.__main__ import main
from tests.conftest import CORPUS, ROOT, new_store, run_cli

NPR = str(CORPUS / "g01_npr_cp1252_semikolon.csv")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (fast); run_cli() proves the same in a real child process."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def db(tmp_path):
    return str(new_store(tmp_path, "cli"))


def test_ingest_export_log_undo_in_a_real_process(db):
    done = run_cli("ingest", NPR, "--indicator", "fall_injury_admissions", "--db", db)
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    assert said[0] == "Opplasting 1: 9 rader lest, 9 nye, 0 erstattet, 0 uendret."
    assert "  1 rad med fotnoter under tabellen er ikke tatt med." in said[1:]  # the notes follow
    exported = run_cli("export", "--db", db)
    assert exported.returncode == 0
    assert exported.stdout.splitlines()[:3] == [
        "indicator,unit,period,value,suppressed",
        "fall_injury_admissions,3205,2024M01,12,false",
        "fall_injury_admissions,3205,2024M02,14,false",
    ]
    refused = run_cli("ingest", str(CORPUS / "b03_tolv.csv"), "--indicator", "hip_fractures", "--db", db)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "Filen «b03_tolv.csv» ble avvist; ingenting er lagret:",
        "  Linje 14, kolonne «Antall»: «tolv» er ikke et tall (fil «b03_tolv.csv»)",
    ]
    assert run_cli("export", "--db", db).stdout == exported.stdout


def test_export_is_sorted_with_dots_and_empty_suppressed_values(capsys, db):
    for name, indicator in (
        ("g25_teller_nevner.csv", "stemi_pci_120"),
        ("g01_npr_cp1252_semikolon.csv", "fall_injury_admissions"),
        ("g23_oslo_bydeler.csv", "hip_fractures"),
    ):
        assert cli(capsys, "ingest", str(CORPUS / name), "--indicator", indicator, "--db", db)[0] == 0
    code, out, err = cli(capsys, "export", "--db", db)
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == "indicator,unit,period,value,suppressed"
    rows = [line.split(",") for line in lines[1:]]
    assert rows == sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    assert "fall_injury_admissions,3222,2024M02,8.5,false" in lines
    assert "fall_injury_admissions,3205,2024M03,,true" in lines
    # STEMI counts patients (issue 14): 1 of 8 and 9 of 12 (3 did not get PCI) are not shown.
    assert [line for line in lines if line.startswith("stemi_pci_120,1804,")] == [
        "stemi_pci_120,1804,2024K1,:,false",
        "stemi_pci_120,1804,2024K2,:,false",  # a per cent: never «<5», read as «under 5 %»
    ]
    assert "hip_fractures,030112,2024M01,9,false" in lines  # districts by their id
    code, out, _ = cli(capsys, "export", "--indicator", "stemi_pci_120", "--db", db)
    assert {line.split(",")[0] for line in out.splitlines()[1:]} == {"stemi_pci_120"}


def test_dry_run_profile_and_sheet(capsys, db):
    code, out, _ = cli(
        capsys, "ingest", NPR, "--indicator", "fall_injury_admissions", "--db", db, "--dry-run"
    )
    assert (code, out.splitlines()[0]) == (0, "Prøvekjøring: 9 verdier er gyldige; ingenting er lagret.")
    assert cli(capsys, "log", "--db", db)[1].strip() == "Ingen opplastinger ennå."
    code, out, _ = cli(
        capsys, "ingest", str(CORPUS / "g29_profil_iht_status.xlsx"), "--profile", "iht_status", "--db", db
    )
    assert code == 0 and "4 nye" in out
    code, out, _ = cli(
        capsys,
        "ingest",
        str(CORPUS / "g11_excel_ark.xlsx"),
        "--indicator",
        "hip_fractures",
        "--sheet",
        "Data",
        "--db",
        db,
    )
    assert code == 0 and "1 nye" in out


def test_log_and_undo(capsys, db):
    cli(capsys, "ingest", NPR, "--indicator", "fall_injury_admissions", "--db", db)
    code, out, _ = cli(capsys, "log", "--db", db)
    assert code == 0 and "g01_npr_cp1252_semikolon.csv" in out and "9/0/0/0" in out and "aktiv" in out
    code, out, _ = cli(capsys, "undo", "1", "--db", db)
    assert (code, out.strip()) == (
        0,
        "Opplasting 1 er angret: 9 verdier er fjernet og tidligere verdier gjenopprettet.",
    )
    assert cli(capsys, "export", "--db", db)[1].splitlines() == ["indicator,unit,period,value,suppressed"]
    assert "angret" in cli(capsys, "log", "--db", db)[1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["undo", "99"], "Fant ingen opplasting 99."),
        (
            ["ingest", "finnes-ikke.csv", "--indicator", "hip_fractures"],
            "Finner ikke filen «finnes-ikke.csv».",
        ),
        (["ingest", NPR, "--indicator", "tull"], "Ukjent indikator «tull»"),
        (["ingest", NPR, "--profile", "tull"], "Ukjent profil «tull»"),
        (["ingest", NPR], "Oppgi --indicator ID eller --profile NAVN."),
        (["slett", "alt"], "Feil i kommandoen"),
    ],
)
def test_other_failures_exit_1_with_one_sentence(capsys, db, args, message):
    code, out, err = cli(capsys, *args, "--db", db)
    assert code == 1 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.duckdb_file("a damaged DuckDB file")
def test_a_broken_store_is_one_sentence_and_exit_1(tmp_path):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    result = run_cli("log", "--db", str(broken))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "skadet" in result.stderr or "kan ikke åpnes" in result.stderr


def test_a_reader_that_stops_early_gets_no_complaint(demo_db, tmp_path):
    """`loaders log | head -1`: the closed pipe is the reader's choice, not an error to report."""
    import subprocess
    import sys

    db = new_store(tmp_path, "pipe", like=demo_db)
    done = subprocess.run(
        f"'{sys.executable}' -m loaders log --db '{db}' | head -1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert len(done.stdout.splitlines()) == 1
    assert "Kan ikke lese eller skrive" not in done.stderr and "Traceback" not in done.stderr, done.stderr
