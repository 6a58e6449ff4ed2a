"""Small-number protection: primary "<5", hidden rates, complementary suppression, masking."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analytics import config, protection
from analytics.protection import SECONDARY

pytestmark = pytest.mark.backend_free

LIMIT = 5


def table(rows: dict[str, list[float]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def recoverable(result: protection.ProtectedTable, counts: pd.DataFrame, total_row, total_column) -> list:
    """Cells an attacker can work out from a shown total: lines with exactly one hidden part,
    or whose hidden parts add up to a small count."""
    hidden = result.hidden[counts.columns]
    found = []
    lines = []
    if total_column is not None:
        parts = [c for c in counts.columns if c != total_column]
        lines += [
            (
                counts.loc[r, parts],
                hidden.loc[r, parts],
                counts.loc[r, total_column],
                hidden.loc[r, total_column],
            )
            for r in counts.index
        ]
    if total_row is not None:
        parts = [r for r in counts.index if r != total_row]
        lines += [
            (counts.loc[parts, c], hidden.loc[parts, c], counts.loc[total_row, c], hidden.loc[total_row, c])
            for c in counts.columns
        ]
    for values, mask, total, total_hidden in lines:
        if total_hidden or not mask.any():
            continue
        derivable = total - values[~mask].sum()
        if mask.sum() == 1 or 0 < derivable < LIMIT:
            found.append(values[mask].to_dict())
    return found


def test_small_counts_shown_as_below_threshold_zero_and_threshold_shown():
    counts = table({"A": [3, 0, 5, 120]}, ["x", "y", "z", "w"])
    result = protection.protect_counts(counts, limit=LIMIT)
    assert result.frame.loc["A"].tolist() == ["<5", "0", "5", "120"]
    assert result.values.loc["A", "x"] != result.values.loc["A", "x"]  # NaN
    assert result.footnotes == [protection.primary_note(LIMIT)]


def test_large_numbers_use_norwegian_format():
    result = protection.protect_counts(table({"A": [12345.0]}, ["n"]), limit=LIMIT)
    assert result.frame.loc["A", "n"] == "12\u00a0345"


def test_rates_built_on_hidden_counts_are_hidden():
    counts = pd.DataFrame({"Kommune": ["A", "B"], "Antall": [3, 40], "Rate": [1.25, 16.7]})
    result = protection.protect_counts(counts, count_columns=["Antall"], rate_columns={"Rate": "Antall"})
    assert result.frame["Antall"].tolist() == ["<5", "40"]
    assert result.frame["Rate"].tolist() == [SECONDARY, "16,7"]
    assert result.frame["Kommune"].tolist() == ["A", "B"]
    assert protection.RATE_NOTE in result.footnotes
    assert np.isnan(result.values.loc[0, "Rate"])


def test_one_hidden_part_of_a_row_total_hides_the_next_smallest_part():
    counts = table({"2024": [3, 20, 12, 35]}, ["Asker", "Bærum", "Lørenskog", "Sum"])
    result = protection.protect_counts(counts, total_column="Sum", limit=LIMIT)
    row = result.frame.loc["2024"]
    assert row["Asker"] == "<5"
    assert row["Lørenskog"] == SECONDARY  # the next smallest, not Bærum
    assert row["Bærum"] == "20" and row["Sum"] == "35"
    assert protection.SECONDARY_NOTE in result.footnotes
    assert recoverable(result, counts, None, "Sum") == []


def test_two_small_parts_whose_sum_is_small_get_a_third():
    # 1 + 2 = 3 could be read from the total; hide one more so the hidden sum is ≥ 5.
    counts = table({"r": [1, 2, 30, 40, 73]}, ["a", "b", "c", "d", "Sum"])
    result = protection.protect_counts(counts, total_column="Sum", limit=LIMIT)
    assert result.frame.loc["r"].tolist() == ["<5", "<5", SECONDARY, "40", "73"]
    assert recoverable(result, counts, None, "Sum") == []


def test_column_totals_and_cascades_are_protected():
    counts = table(
        {
            "Asker": [3, 10, 13],
            "Bærum": [8, 9, 17],
            "Nittedal": [7, 6, 13],
            "Sum": [18, 25, 43],
        },
        ["Menn", "Kvinner", "Totalt"],
    )
    result = protection.protect_counts(counts, total_row="Sum", total_column="Totalt", limit=LIMIT)
    assert result.frame.loc["Asker", "Menn"] == "<5"
    assert recoverable(result, counts, "Sum", "Totalt") == []
    assert result.secondary.to_numpy().sum() >= 3  # row, column and the cascade


def test_a_line_with_one_part_hides_its_total():
    counts = table({"r": [3, 3]}, ["a", "Sum"])
    result = protection.protect_counts(counts, total_column="Sum", limit=LIMIT)
    assert result.frame.loc["r"].tolist() == ["<5", "<5"]


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_never_leave_a_recoverable_cell(seed):
    rng = np.random.default_rng(seed)
    parts = pd.DataFrame(
        rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=(5, 4)),
        index=[f"k{i}" for i in range(5)],
        columns=["a", "b", "c", "d"],
    ).astype(float)
    parts["Sum"] = parts.sum(axis=1)
    parts.loc["Sum"] = parts.sum(axis=0)
    result = protection.protect_counts(parts, total_row="Sum", total_column="Sum", limit=LIMIT)
    assert recoverable(result, parts, "Sum", "Sum") == []
    shown = result.frame.to_numpy().ravel().tolist()
    assert protection.visible_small_counts(shown, LIMIT) == []


def test_threshold_comes_from_config(monkeypatch):
    monkeypatch.setattr(config, "SUPPRESSION_THRESHOLD", 10)
    result = protection.protect_counts(table({"A": [7, 12]}, ["x", "y"]))
    assert result.frame.loc["A"].tolist() == ["<10", "12"]
    assert protection.mask_small_numbers("verdi 7 av 22") == "verdi <10 av 22"


def test_series_counts_are_hidden_before_drawing():
    series = pd.DataFrame(
        {"period_start": pd.date_range("2024-01-01", periods=4, freq="QS"), "value": [2.0, 0.0, 8.0, np.nan]}
    )
    protected = protection.protect_series(series, protect=True, kind="count", limit=LIMIT)
    frame = protected.frame
    assert frame["label"].tolist() == ["<5", "0", "8", "–"]
    assert np.isnan(frame.loc[0, "value"]) and frame.loc[2, "value"] == 8
    assert frame["hidden"].tolist() == [True, False, False, False]
    assert protected.any_hidden and protected.footnotes


def test_series_share_with_small_numerator_is_hidden():
    series = pd.DataFrame({"value": [75.0, 50.0], "numerator": [3.0, 40.0], "denominator": [4.0, 80.0]})
    frame = protection.protect_series(series, protect=True, kind="share", limit=LIMIT, decimals=1).frame
    assert frame["label"].tolist() == [SECONDARY, "50,0"]
    assert np.isnan(frame.loc[0, "numerator"])


def test_unprotected_series_pass_through():
    series = pd.DataFrame({"value": [2.0, 3.0]})
    protected = protection.protect_series(series, protect=False, kind="stock", limit=LIMIT)
    assert protected.frame["label"].tolist() == ["2", "3"] and not protected.footnotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Antall pasienter 3 av 22.", "Antall pasienter <5 av 22."),
        ("siste 12 mnd 4 (12 mnd før: 2)", "siste 12 mnd <5 (12 mnd før: <5)"),
        ("fristen 01.02.2025", "fristen 01.02.2025"),
        ("1\u00a0578 innleggelser", "1\u00a0578 innleggelser"),
        ("snitt 3,5", "snitt 3,5"),
        ("kriterium m02-k1", "kriterium m02-k1"),
        ("allerede <5", "allerede <5"),
        ("13 av 22 (3. kvartal 2026)", "13 av 22 (3. kvartal 2026)"),
        ("siste verdi 3.", "siste verdi <5."),
    ],
)
def test_mask_small_numbers_in_sentences(text, expected):
    assert protection.mask_small_numbers(text, LIMIT) == expected


def test_visible_small_counts_finds_leaks_only():
    texts = ["<5 pasienter", "3 pasienter", "31.12.2025", "1\u00a0234", "m02-k1", "2,5 %"]
    assert protection.visible_small_counts(texts, LIMIT) == ["3 pasienter"]
    assert protection.numeric_small([0, 1, 4.9, 5, None], LIMIT) == [1.0, 4.9]


def test_a_share_is_hidden_on_a_small_numerator_complement_or_denominator() -> None:
    """A share of persons is two counts (who got it, who did not): «0,0 % of 3» and «100,0 % of
    1» are hidden as «1 of 40» is; a score (a mean per person) on 1–4 persons is hidden."""
    numerator = np.array([0, 3, 10, 1, 0, 10, np.nan, 40, 0])
    denominator = np.array([3, 40, 12, 1, 0, 10, 2, 40, 50])
    small = protection.small_parts("share", numerator, denominator, LIMIT)
    assert small.tolist() == [True, True, True, True, False, False, True, False, False]
    assert protection.small_parts("count", [0, 2, 7], None, LIMIT).tolist() == [False, True, False]
    assert protection.small_parts("score", 12.5, 2, LIMIT).tolist() == [True]
    assert protection.small_parts("score", 12.5, 30, LIMIT).tolist() == [False]
    series = pd.DataFrame({"value": [0.0, 80.0], "numerator": [0.0, 8.0], "denominator": [3.0, 10.0]})
    frame = protection.protect_series(series, protect=True, kind="share", limit=LIMIT).frame
    assert frame["hidden"].tolist() == [True, True]
    assert frame["denominator"].isna().all() and set(frame["label"]) == {SECONDARY}


def test_the_joint_cube_protects_a_shares_complement_along_its_lines() -> None:
    """Two units, one quarter of months: unit a's complement is 2 in one month (8 of 10). The
    joint cube hides that month and enough besides that neither the numerator nor the
    complement of the hidden month can be worked out from the shown cells and totals."""
    from analytics import hierarchy

    months = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"] * 2)
    rows = pd.DataFrame(
        {
            "unit_id": ["a"] * 3 + ["b"] * 3,
            "period_start": months,
            "numerator": [8.0, 20.0, 30.0, 25.0, 25.0, 25.0],
            "denominator": [10.0, 30.0, 40.0, 30.0, 30.0, 30.0],
        }
    )
    plain = hierarchy.build_cube(rows, "month", LIMIT)
    assert not plain.hidden.any()  # the numerator alone has no small cell
    rest = hierarchy.build_cube(
        rows.assign(numerator=rows["denominator"] - rows["numerator"]), "month", LIMIT
    )
    cube = hierarchy.joint(plain, rest)
    target = cube.index[("a", "month", pd.Timestamp("2026-01-01"))]
    assert cube.primary[target] and cube.hidden[target]
    for total, parts in cube.lines:  # no line with exactly one hidden cell
        assert int(cube.hidden[parts].sum()) + int(cube.hidden[total]) != 1
    with pytest.raises(ValueError):
        hierarchy.joint(plain, hierarchy.build_cube(rows.iloc[:3], "month", LIMIT))


def test_the_power_statement_names_no_protected_denominator_or_level() -> None:
    """«nevneren 1 på 12 måneder» named the one STEMI patient of Lødingen: a protected window
    denominator reads «færre enn 5», and a protected baseline level is not printed."""
    from analytics import power

    open_text = power.check_share(0.5, 40, 2, 0.2, 0.8, True).reason
    assert "nevneren 2 på 12 måneder" in open_text and "50 %" in open_text
    closed = power.check_share(0.5, 40, 2, 0.2, 0.8, True, protected=(True, True)).reason
    assert "nevneren færre enn 5 på 12 måneder" in closed
    assert "50 %" not in closed and "målet 80 %" in closed
    assert protection.visible_small_counts([closed.split("; 80 % krever")[0]]) == []


def _full_passes(cube) -> np.ndarray:
    """Rule 3 the plain way: every line checked on every pass, then rule 3b, until nothing
    changes (what hierarchy._sweep must equal; it skips lines whose cells did not change)."""
    from analytics import hierarchy

    lines = list(cube.lines)
    # Rule 3b: a window with the periods inside it (not ALL's window with the units' windows).
    grains = hierarchy.GRAINS
    windows = [(t, p) for t, p in lines if cube.levels[t] not in grains and cube.levels[p[0]] in grains]
    hidden = cube.primary.copy()
    while True:
        changed = True
        while changed:
            changed = False
            for total, parts in lines:
                while hierarchy._needs_more(cube.values, hidden, cube.primary, total, parts, cube.limit):
                    pick = hierarchy._pick(cube.values, hidden, total, parts)
                    if pick is None:
                        break
                    hidden[pick] = True
                    changed = True
        more = [t for t, parts in windows if not hidden[t] and hidden[parts].any()]
        if not more:
            return hidden
        hidden[more] = True


def test_the_cube_sweep_hides_what_checking_every_line_on_every_pass_hides():
    from analytics import hierarchy

    rng = np.random.default_rng(11)
    tried = 0
    for _ in range(30):
        units = [f"u{i}" for i in range(int(rng.integers(2, 25)))]
        months = pd.date_range("2023-01-01", periods=int(rng.integers(3, 30)), freq="MS")
        rows = pd.DataFrame(
            [
                (u, m, float(rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12, 30])))
                for u in units
                for m in months
                if rng.random() > 0.1
            ],
            columns=["unit_id", "period_start", "numerator"],
        )
        windows = {hierarchy.FUNNEL: list(months[-12:])} if len(months) > 12 else {}
        cube = hierarchy.build_cube(rows, "month", LIMIT, windows)
        assert np.array_equal(cube.hidden, _full_passes(cube))
        tried += int((cube.hidden & ~cube.primary).any())
    assert tried > 10  # most of the cubes needed complementary cells


def test_the_cube_mask_reads_each_cell_as_is_hidden_does_and_lacks_no_cell():
    from analytics import hierarchy

    rng = np.random.default_rng(5)
    months = pd.date_range("2024-01-01", periods=18, freq="MS")
    rows = pd.DataFrame(
        [(u, m, float(rng.choice([0, 1, 2, 3, 8, 20]))) for u in ("a", "b", "c") for m in months],
        columns=["unit_id", "period_start", "numerator"],
    )
    cube = hierarchy.build_cube(rows, "month", LIMIT, {hierarchy.FUNNEL: list(months[-12:])})
    assert cube.hidden.any() and not cube.hidden.all()
    for level in ("month", "quarter", "year", hierarchy.FUNNEL):
        at = cube.levels == level
        scopes, starts = cube.scopes[at].tolist(), [pd.Timestamp(t) for t in cube.starts[at]]
        assert cube.mask(scopes, level, starts).tolist() == cube.hidden[at].tolist()
        assert [cube.is_hidden(s, level, t) for s, t in zip(scopes, starts, strict=True)] == cube.hidden[
            at
        ].tolist()
    # A cell the cube lacks is not hidden by it (mask) and unknown to it (is_hidden).
    assert cube.mask(["a", "zz"], "month", [pd.Timestamp("2024-01-15"), months[0]]).tolist() == [False, False]
    assert cube.is_hidden("zz", "month", months[0]) is None
    assert cube.is_hidden("a", "month", pd.Timestamp("2024-01-15")) is None


def test_a_statistic_beside_a_hidden_figure_keeps_its_words_and_drops_its_number() -> None:
    """protection.statistic_text, the one place every reason prints a p-value, an interval or
    a difference beside figures: with every figure shown «words (number)», with any one hidden
    the words alone, and the words alone where there is no number."""
    words, p = "ingen statistisk sikker endring mot grunnlinjen", "p = 0,553"
    assert protection.statistic_text(words, p, False, False) == f"{words} ({p})"
    assert protection.statistic_text(words, p, False, True) == words
    assert protection.statistic_text(words, p, True, False) == words
    assert protection.statistic_text(words, None, False) == words
    assert protection.statistic_text("13,3", "95 % KI 9,9 til 17,6") == "13,3 (95 % KI 9,9 til 17,6)"


def test_one_function_words_a_hidden_small_count_in_a_sentence(monkeypatch) -> None:
    """«færre enn N» is built by protection.fewer_than alone: the reasons' figure
    (series.figure_shown) and the power statement's denominator follow the configured limit."""
    from analytics import power

    assert protection.fewer_than() == f"færre enn {config.SUPPRESSION_THRESHOLD}"
    assert protection.fewer_than(3) == "færre enn 3"
    monkeypatch.setattr(config, "SUPPRESSION_THRESHOLD", 7)
    closed = power.check_share(0.5, 40, 2, 0.2, 0.8, True, protected=(False, True)).reason
    assert "nevneren færre enn 7 på 12 måneder" in closed
    from analytics.series import figure_shown

    count = SimpleNamespace(kind="count", protect_small=True, population=None)  # what figure_shown reads
    assert figure_shown(count, 6.0, 6.0, False)[0] == "færre enn 7"


def test_the_power_statement_gives_no_number_computed_from_a_hidden_baseline() -> None:
    """«ca. 4,4 hendelser per måned i grunnlinjen gir 23 % styrke … en periode etter grunnlinjen
    på 90 måneder» beside a hidden baseline: with the baseline's 24 months each number gives its
    level back. Hidden, the statement says only which side of 80 % the power is on and what a
    period would need (from the windows' lengths and the change alone); the verdict is the same."""
    from analytics import power

    shown = power.check_counts(4.4 * 24, 24, "month", -0.2, single_unit=True)
    hidden = power.check_counts(4.4 * 24, 24, "month", -0.2, single_unit=True, hide_level=True)
    assert "4,4 hendelser per måned" in shown.reason and "23 % styrke" in shown.reason
    assert hidden.enough == shown.enough and hidden.power == shown.power
    assert hidden.reason.startswith("grunnlinjen gir under 80 % styrke til å påvise 20 % nedgang")
    assert "4,4" not in hidden.reason and "23 %" not in hidden.reason
    assert "minst ca. 23 per måned" in hidden.reason  # rests on the windows alone
    near = power.check_counts(10.0 * 24, 24, "month", -0.2, hide_level=True)
    assert "etter grunnlinjen" not in near.reason  # the 58 months rest on the level
    many = power.check_counts(60.0 * 24, 24, "month", -0.2, hide_level=True)
    assert many.enough and many.reason.startswith("grunnlinjen gir minst 80 % styrke")
    share = power.check_share(0.5, 40, 30, 0.2, 0.8, True, protected=(True, False))
    assert "styrke" in share.reason and "gir under 80 % styrke" in share.reason
    assert "i nevneren per 12 måneder" not in share.reason  # the denominator needed rests on p0


@pytest.mark.parametrize("seed", range(6))
def test_the_cube_joins_parts_to_totals_as_an_inner_merge_does(seed: int) -> None:
    """hierarchy._match (the cube's lines) gives the rows and order of pandas' inner merge on a
    unique right key, for integer and datetime keys, parts without a total and empty sides."""
    from analytics.hierarchy import _match

    rng = np.random.default_rng(seed)
    months = pd.date_range("2020-01-01", periods=8, freq="MS").to_numpy()
    keys = pd.DataFrame({"scope": rng.integers(0, 5, 60), "parent": months[rng.integers(0, 8, 60)]})
    parts = keys.assign(at=np.arange(len(keys)))
    totals = keys.drop_duplicates().sample(frac=0.7, random_state=seed)
    totals = totals.assign(at=np.arange(len(totals)) + 1000)
    for left, right in ((parts, totals), (parts.iloc[0:0], totals), (parts, totals.iloc[0:0])):
        merged = left.merge(right, on=["scope", "parent"], suffixes=("", "_total"))
        hit, row = _match(
            [left[c].to_numpy() for c in ("scope", "parent")],
            [right[c].to_numpy() for c in ("scope", "parent")],
        )
        assert left["at"].to_numpy()[hit].tolist() == merged["at"].tolist()
        assert right["at"].to_numpy()[row].tolist() == merged["at_total"].tolist()


def _lines_by_definition(cube) -> list[tuple[int, list[int]]]:
    """The cube's lines (hierarchy rule 2) worked out cell by cell in plain Python, in the order
    build_cube lays them (its sweep picks by line order, so the order is part of the answer):
    per kind of line (each finer grain into each coarser one, each window, ALL with its units),
    totals in order of their first part, parts in cell order."""
    from analytics import hierarchy

    cells = [
        (str(s), str(lv), pd.Timestamp(t))
        for s, lv, t in zip(cube.scopes, cube.levels, cube.starts, strict=True)
    ]
    grains = [g for g in hierarchy.GRAINS if g in set(cube.levels)]
    windows = list(dict.fromkeys(lv for lv in cube.levels if lv not in hierarchy.GRAINS))

    def kind(parts: list[int], total_of) -> list[tuple[int, list[int]]]:
        lines: dict[int, list[int]] = {}
        for i in parts:
            total = total_of(i)
            if total is not None:
                lines.setdefault(total, []).append(i)
        return list(lines.items())

    index = {cell: i for i, cell in enumerate(cells)}
    out = []
    for f_i, fine in enumerate(grains):
        for coarse in grains[f_i + 1 :]:
            out += kind(
                [i for i, c in enumerate(cells) if c[1] == fine],
                lambda i, coarse=coarse: index.get(
                    (cells[i][0], coarse, pd.Timestamp(hierarchy.truncate([cells[i][2]], coarse)[0]))
                ),
            )
    for name in windows:
        for anchor in dict.fromkeys(c[2] for c in cells if c[1] == name):
            covered = set(cube.windows[name]) if len(set(c[2] for c in cells if c[1] == name)) == 1 else None
            assert covered is not None  # one window of each kind per cube
            out += kind(
                [i for i, c in enumerate(cells) if c[1] == cube.native and c[2] in covered],
                lambda i, name=name, anchor=anchor: index.get((cells[i][0], name, anchor)),
            )
    out += kind(
        [i for i, c in enumerate(cells) if c[0] != hierarchy.ALL],
        lambda i: index.get((hierarchy.ALL, cells[i][1], cells[i][2])),
    )
    return out


def test_the_cubes_lines_are_the_lines_of_the_rule_in_their_order(demo_board):
    """build_cube lays its lines with array lookups (one pass per kind of line); they must be
    exactly the lines of the rule, in order, for every protected indicator of the demo (months
    into quarters and years, quarters into years, the funnel and same-months windows, ALL with
    its units), so the sweep hides the same cells."""
    import datetime as dt

    from analytics import series

    checked = 0
    for indicator in demo_board.registry.indicators:
        if not indicator.protect_small or indicator.kind not in ("count", "share"):
            continue
        cube = series._build_cube(demo_board, indicator, "ahus", dt.date(2026, 12, 1))
        if not len(cube.values):
            continue
        lines = [(int(t), p.tolist()) for t, p in cube.lines]
        assert lines == _lines_by_definition(cube), indicator.id
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("missing_unit", [False, True])
def test_the_cubes_cells_are_each_units_sums_in_the_units_sorted_order(missing_unit):
    """build_cube groups units by integer codes in sorted order: the cells must be what grouping
    by the names gave, each unit's sum per month, quarter and year with units in sorted order
    and then ALL; a row without a unit counts nowhere (the cube's atoms leave it out)."""
    from analytics import hierarchy

    starts = pd.to_datetime(["2024-02-01", "2024-01-01", "2024-05-01", "2024-01-01", "2024-04-01"])
    rows = pd.DataFrame(
        {
            "unit_id": ["3222", "3205", "3222", "0301", "3205"],
            "period_start": starts,
            "numerator": [1.0, 2.0, 30.0, 4.0, 7.0],
        }
    )
    if missing_unit:
        rows = pd.concat(
            [rows, pd.DataFrame({"unit_id": [None], "period_start": starts[:1], "numerator": [6.0]})],
            ignore_index=True,
        )
    cube = hierarchy.build_cube(rows, "month", LIMIT)
    expected = []
    for level in ("month", "quarter", "year"):
        start = pd.Series(hierarchy.truncate(rows["period_start"], level))
        per_unit = {}
        for unit, at, value in zip(rows["unit_id"], start, rows["numerator"], strict=True):
            if unit is not None:
                per_unit[(unit, at)] = per_unit.get((unit, at), 0.0) + value
        expected += [(u, level, t, v) for (u, t), v in sorted(per_unit.items())]
        whole = {}
        for unit, at, value in zip(rows["unit_id"], start, rows["numerator"], strict=True):
            if unit is not None:
                whole[at] = whole.get(at, 0.0) + value
        expected += [(hierarchy.ALL, level, t, v) for t, v in sorted(whole.items())]
    got = [
        (s, lv, pd.Timestamp(t), float(v))
        for s, lv, t, v in zip(cube.scopes, cube.levels, cube.starts, cube.values, strict=True)
    ]
    assert got == expected
