"""A rollout counts municipalities taking part (1 = takes part, 0 = not): a municipality's own row
above 1 is a file error, refused with one sentence naming line and column (the registry's
`charts:` table, unit_max); a partnership's row, the sum of its members, is not bound by it."""

from __future__ import annotations

from tests.conftest import write_csv


def test_a_municipality_row_above_one_is_refused_and_nothing_is_written(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "iht.csv",
        "Kommune;Kvartal;Antall\n3205;2025K1;3\n3222;2025K1;1\n",
    )
    report = fresh_loader.ingest(path, "iht_municipalities")
    assert not report.ok
    lines = report.problem_lines()
    assert len(lines) == 1, lines
    assert "Linje 2, kolonne «Antall»: «3» er mer enn 1" in lines[0]
    assert "«Antall kommuner som deltar i IHT» teller kommuner" in lines[0]
    assert fresh_loader.board.store.facts(["iht_municipalities"]).empty


def test_zero_one_rows_and_the_partnership_sum_load(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "iht.csv",
        "Kommune;Kvartal;Antall\n3205;2025K1;1\n3222;2025K1;0\nHelsefellesskapet Ahus og kommunene;2025K1;9\n",
    )
    report = fresh_loader.ingest(path, "iht_municipalities")
    assert report.ok, report.problem_lines()
    stored = fresh_loader.board.store.facts(["iht_municipalities"]).set_index("unit_id")["value"]
    assert stored.to_dict() == {"3205": 1.0, "3222": 0.0}  # the partnership's 9 is kept as the file's total


def test_the_bound_is_a_column_of_the_kinds_table(board_context):
    registry = board_context[0]
    assert registry.charts["rollout"].unit_max == 1
    assert all(rule.unit_max is None for kind, rule in registry.charts.items() if kind != "rollout")
