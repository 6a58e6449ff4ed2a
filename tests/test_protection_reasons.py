"""Status reasons show no figure the protected cube hides (analytics/hierarchy.py, issue 14/15 kind).

A reason names figures for windows («siste 12 mnd (okt. 2025–sep. 2026) 10», «grunnlinje januar
2022–desember 2023 (…): 93,9», «… 17 (oktober 2026)»). Each is a count, or a rate or share built
on one (the person-years and denominators are shown elsewhere, so a rate gives its count away):
a figure the board shows. These tests read them out of the texts the board prints — the plan's
evaluation (Oversikt, Handlingsplan, the deck), the matrix («Hvor står vi?») and the Kommune
table — and (1) add them to the protection search of tests/test_protection_search.py, which must
still find no hidden small count determined, and (2) check directly that a matrix cell shown as
«:» or «<5» has no number in its reason for the same window.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pandas as pd
import pytest

from analytics import config, datacache, hierarchy
from analytics.board import open_board
from analytics.evaluate import evaluate_plan, scope_units
from analytics.indicator_view import member_units, municipality_view
from analytics.matrix import status_matrix
from analytics.periods import MONTHS_NB, MONTHS_SHORT
from analytics.series import load_rows
from tests.test_protection_search import PARTNERSHIP, TODAY, _export, _small_store, derivable, shown_figures

_MONTH_NUMBER = {name: i + 1 for names in (MONTHS_SHORT, MONTHS_NB) for i, name in enumerate(names)}
_MONTH = "|".join(re.escape(n) for n in sorted(_MONTH_NUMBER, key=len, reverse=True))
# A figure as the board writes it: a number (1 234; 17,6; 85,0 %) or a hidden mark.
_FIGURE = r"(færre enn \d+|<\d+|:|skjult \(<\d+\)|–|\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:,\d+)?)"
_SPAN = rf"({_MONTH}) (\d{{4}})–({_MONTH}) (\d{{4}})"
# «(okt. 2025–sep. 2026) 10», «januar 2022–desember 2023 (tavlas standardverdi): 65,9 %»
_AFTER_SPAN = re.compile(_SPAN + r"(?: \([^()]*\))?\)?:? " + _FIGURE)
# «… 17 (oktober 2026)», «… 12,1 (3. kvartal 2026); mål …»; not the target in «13 av 22 (…)».
_BEFORE_PERIOD = re.compile(
    r"(?<!\bav )(?<![\d,])"
    + _FIGURE
    + rf"(?: %)? \((?:({_MONTH}) (\d{{4}})|(\d)\. kvartal (\d{{4}})|(\d{{4}}))\)"
)


def _is_number(figure: str) -> bool:
    return bool(re.fullmatch(r"[\d \u00a0\u202f]+(?:,\d+)?", figure))


def _month(name: str, year: str) -> pd.Timestamp:
    return pd.Timestamp(int(year), _MONTH_NUMBER[name], 1)


def reason_figures(text: str) -> Iterator[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """(first month, last month, figure as printed) for every windowed figure in a text."""
    for m in _AFTER_SPAN.finditer(text):
        yield _month(m[1], m[2]), _month(m[3], m[4]), m[5]
    for m in _BEFORE_PERIOD.finditer(text):
        if m[2]:
            first = last = _month(m[2], m[3])
        elif m[4]:
            first = pd.Timestamp(int(m[5]), 3 * int(m[4]) - 2, 1)
            last = first + pd.DateOffset(months=2)
        else:
            first, last = pd.Timestamp(int(m[6]), 1, 1), pd.Timestamp(int(m[6]), 12, 1)
        yield first, last, m[1]


def _span_of(period: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    m = re.fullmatch(_SPAN, period)
    return None if m is None else (_month(m[1], m[2]), _month(m[3], m[4]))


def _part_about(reason: str, name: str, others: list[str]) -> str:
    """The part of a reason about one indicator (a criterion on several names each one)."""
    if not others:
        return reason
    at = reason.find(name)
    if at < 0:
        return ""
    ends = [i for other in others if (i := reason.find(other, at + len(name))) >= 0]
    return reason[at : min(ends, default=len(reason))]


def printed_figures(
    board, partnership: str, indicator_id: str
) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """(scope, first month, last month) of every number printed for the indicator in the plan's
    reasons (whole partnership), the matrix cells (value and reason per municipality) and the
    Kommune tables (the municipality's and the partnership's value, the reason)."""
    plan = board.plan(partnership)
    names = {c.id: [board.registry.get(i).name for i in c.indicators] for _, c in plan.criteria}
    own = board.registry.get(indicator_id).name
    criteria = {c.id for _, c in plan.criteria if indicator_id in c.indicators}
    # The indicators sharing a criterion (and so a reason) with this one.
    sharing = sorted({n for cid in criteria for n in names[cid]} - {own})
    texts: list[tuple[str, str]] = []  # (scope, text)
    datacache.clear()
    status = evaluate_plan(board, partnership, today=TODAY)
    for cid in criteria & set(status.criteria):
        others = [n for n in names[cid] if n != own]
        texts.append((hierarchy.ALL, _part_about(status.criteria[cid].reason, own, others)))
    cells = status_matrix(board, partnership, today=TODAY).cells
    spans: list[tuple[str, pd.Timestamp, pd.Timestamp]] = []
    for cell in cells[cells["criterion_id"].isin(criteria)].itertuples():
        others = [n for n in names[cell.criterion_id] if n != own]
        texts.append((cell.unit_id, _part_about(cell.reason, own, others)))
        if cell.indicator_id == indicator_id and _is_number(cell.value) and (span := _span_of(cell.period)):
            spans.append((cell.unit_id, *span))
    for unit_id in member_units(board, partnership)["unit_id"]:
        table = municipality_view(board, partnership, unit_id, today=TODAY).table
        for row in table[table["Indikator"] == own].to_dict("records"):
            texts.append((unit_id, _part_about(row["Begrunnelse (kommunen)"], own, sharing)))
            if span := _span_of(row["Periode"]):
                for scope, column in ((unit_id, "Kommunen"), (hierarchy.ALL, "Helsefellesskapet")):
                    if _is_number(str(row[column])):
                        spans.append((scope, *span))
    for scope, text in texts:
        spans.extend((scope, first, last) for first, last, fig in reason_figures(text) if _is_number(fig))
    return spans


def _atoms_of(cube: hierarchy.Cube, scope: str, first: pd.Timestamp, last: pd.Timestamp) -> list[tuple]:
    return [
        (k[0], pd.Timestamp(k[2]))
        for k in cube.keys
        if k[1] == cube.native
        and k[0] != hierarchy.ALL
        and (scope == hierarchy.ALL or k[0] == scope)
        and first <= pd.Timestamp(k[2]) <= last
    ]


def test_reason_figures_are_read_as_the_board_writes_them():
    """The parser the search relies on: spans, baselines, a head's period, and hidden marks."""
    text = (
        "Antall hoftebrudd 1 234 (oktober 2026); mål 12,5. Antall fall: siste 12 mnd "
        "(okt. 2025–sep. 2026) 10 (95 % KI 4,8 til 18,4) (grunnlinje januar 2022–desember 2023 "
        "(tavlas standardverdi): :); Antall kommuner 13 av 22 (3. kvartal 2026)"
    )
    assert list(reason_figures(text)) == [
        (pd.Timestamp(2025, 10, 1), pd.Timestamp(2026, 9, 1), "10"),
        (pd.Timestamp(2022, 1, 1), pd.Timestamp(2023, 12, 1), ":"),
        (pd.Timestamp(2026, 10, 1), pd.Timestamp(2026, 10, 1), "1 234"),
    ]
    assert not _is_number(":") and not _is_number("færre enn 5") and _is_number("110,2")


@pytest.mark.parametrize("store", ["demo", "small"])
def test_no_hidden_small_count_can_be_derived_with_the_reasons(store, demo_db, tmp_path, capsys):
    """The search of tests/test_protection_search.py with every number the status reasons, the
    matrix and the Kommune table print added as shown figures."""
    db = demo_db if store == "demo" else _small_store(tmp_path)
    export_text = _export(db)
    board = open_board(db)
    counted = {"indicators": 0, "reason figures": 0}
    try:
        in_plan = {i for _, c in board.plan(PARTNERSHIP).criteria for i in c.indicators}
        protected = [
            i
            for i in board.registry.indicators
            if i.protect_small and i.kind in ("count", "share") and i.id in in_plan
        ]
        for indicator in protected:
            data = load_rows(board, indicator, scope_units(board, PARTNERSHIP))
            if data.empty or data.cube is None:
                continue
            cube = data.cube
            printed = printed_figures(board, PARTNERSHIP, indicator.id)
            spans = [atoms for s in printed if (atoms := _atoms_of(cube, *s))]
            shown = shown_figures(board, indicator, export_text)
            found, _ = derivable(cube, shown, spans)
            assert found == [], f"{indicator.id}: derivable with the reasons {found[:5]}"
            counted["indicators"] += 1
            counted["reason figures"] += len(spans)
    finally:
        board.store.close()
    assert counted["indicators"] >= 1 and counted["reason figures"] > 0
    with capsys.disabled():
        print(f"\n[{store}] protection search with reasons: {counted}")


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_a_hidden_matrix_cell_has_no_number_for_its_window_in_the_reason(partnership, demo_db):
    """LoVeSa 1860 l1-k1 showed «:» beside «… (okt. 2025–sep. 2026) 10»: a cell the cube hides
    must be hidden in the reason beside it too, for the same window."""
    board = open_board(demo_db)
    try:
        datacache.clear()
        cells = status_matrix(board, partnership, today=TODAY).cells
    finally:
        board.store.close()
    small = f"<{config.SUPPRESSION_THRESHOLD}"
    hidden = cells[cells["value"].isin([":", small, f"skjult ({small})"])]
    assert len(hidden) > 0
    leaks = [
        (cell.unit_id, cell.criterion_id, fig)
        for cell in hidden.itertuples()
        if (span := _span_of(cell.period))
        for first, last, fig in reason_figures(cell.reason)
        if (first, last) == span and _is_number(fig)
    ]
    assert leaks == []


def test_a_cell_the_cube_hides_reads_colon_on_tiles_and_the_decks_table(demo_board, monkeypatch):
    """Indikator's «Siste» tile and the deck's source table print a judged series row: a row
    the cube hides besides (not small) reads «:», a small one «<5», as the tables do."""
    from analytics import deck, protection
    from analytics.indicator_view import indicator_view
    from analytics.series import figure_shown

    indicator = demo_board.registry.get("hip_fractures")
    assert figure_shown(indicator, 17.0, 12.0, True, "cell")[0] == protection.SECONDARY
    assert (
        figure_shown(indicator, 2.0, 2.0, True, "cell")[0]
        == figure_shown(indicator, 2.0, 2.0, False, "cell")[0]
        != "2,0"
    )
    assert figure_shown(indicator, 17.0, 12.0, False, "cell")[0] == "17,0"
    view = indicator_view(demo_board, PARTNERSHIP, "hip_fractures", ["3205"], grain="month", today=TODAY)
    view = dataclasses.replace(view, series=view.series.copy())  # the view may be kept: not in place
    whole = view.series[view.series["value"].notna() & ~view.series["partial"]]
    last = whole.index[-1]
    view.series.loc[last, ["numerator", "hidden"]] = [12.0, True]
    assert view.latest_text.startswith(f"{protection.SECONDARY} (")
    series = view.series.loc[[last]]
    monkeypatch.setattr(deck, "judged", lambda board, partnership, indicator_id, **day: (None, series))
    measure = next(
        m
        for m in demo_board.plan(PARTNERSHIP).measures
        if any("hip_fractures" in c.indicators for c in m.criteria)
    )
    table, notes = deck.source_table(demo_board, PARTNERSHIP, [measure])
    assert set(table["Verdi"]) == {protection.SECONDARY} and protection.SECONDARY_NOTE in notes


def test_one_rule_for_a_figure_in_a_reason_and_in_a_cell(demo_board):
    """Reasons and cells (tables, tiles, hover, deck) print a figure by one rule
    (series.figure_shown); only the words for a small figure differ: «færre enn 5» for a count
    and «skjult (færre enn 5 tilfeller)» for a rate in a sentence, «<5» for a count and «skjult (<5)» for a rate in a cell. A cell the cube hides is
    «:» in both, also when its count is small on an indicator that does not protect small
    counts (a cell once showed the value there while the reason said «:»)."""
    from analytics import protection
    from analytics.series import figure_shown

    count = demo_board.registry.get("hip_fractures")  # protected, a rate per 1 000
    plain = next(
        i for i in demo_board.registry.indicators if not i.protect_small and i.kind in ("count", "stock")
    )
    share = next(i for i in demo_board.registry.indicators if i.kind == "share")
    share = share.model_copy(update={"protect_small": True})
    # beside a rate a bare «færre enn 5» would read as a rate below 5: the sentence says what is few
    assert figure_shown(count, 2.0, 2.0, False)[0] == "skjult (færre enn 5 tilfeller)"
    assert figure_shown(share, 0.5, 2.0, False)[0] == "skjult (færre enn 5 tilfeller)"
    assert figure_shown(count, 2.0, 2.0, False, "cell")[0] == "skjult (<5)"
    assert figure_shown(share, 0.5, 2.0, False, "cell")[0] == "skjult (<5)"
    stock = demo_board.registry.get("dho_active_patients")  # protected, a plain number
    assert figure_shown(stock, 2.0, 2.0, False, "cell")[0] == "<5"
    assert figure_shown(stock, 2.0, 2.0, False)[0] == "færre enn 5"
    for wording in ("sentence", "cell"):
        assert figure_shown(plain, 2.0, 2.0, True, wording)[0] == protection.SECONDARY
        assert figure_shown(plain, 2.0, 2.0, False, wording)[0] == figure_shown(plain, 2.0, 2.0, False)[0]


def _window_parts(
    board, indicator, scope: str, first: pd.Timestamp, last: pd.Timestamp
) -> tuple[float, float]:
    """Σ numerator and Σ denominator of the stored (not suppressed) native cells in a span."""
    members = [str(u) for u in member_units(board, "lovesa")["unit_id"]]
    facts = board.store.known_cells(indicator.id, members, indicator.grain)
    starts = pd.to_datetime(facts["period_start"])
    inside = facts[(starts >= first) & (starts <= last)]
    if scope != hierarchy.ALL:
        inside = inside[inside["unit_id"].astype(str) == scope]
    return float(inside["numerator"].sum()), float(inside["denominator"].sum())


def test_no_person_share_printed_on_a_small_numerator_or_complement(demo_db):
    """LoVeSa's matrix showed 1851 Lødingen «100,0 % juli 2025–juni 2026», reason «nevneren 1
    på 12 måneder» (one STEMI patient), and 1840 Saltdal «0,0 % (3. kvartal 2026)» of 3: a
    share of persons is a two-cell table, and neither its numerator nor its complement
    (denominator − numerator) may be 1–4 where it is printed (protection.small_parts). Every
    figure of every patient share in the matrix cells, their reasons, the plan's reasons and
    the Kommune tables is checked against the stored counts of its span, and no reason prints
    a denominator of 1–4."""
    from analytics import protection

    board = open_board(demo_db)
    try:
        shares = [i for i in board.registry.indicators if i.kind == "share"]
        in_plan = {i for _, c in board.plan("lovesa").criteria for i in c.indicators}
        checked, leaks = 0, []
        for indicator in [i for i in shares if i.id in in_plan]:
            spans = printed_figures(board, "lovesa", indicator.id)
            cells = status_matrix(board, "lovesa", today=TODAY).cells
            for cell in cells[cells["indicator_id"] == indicator.id].itertuples():
                shown = cell.value.removesuffix("\u00a0%").removesuffix(" %")
                if _is_number(shown) and (span := _span_of(cell.period)):
                    spans.append((cell.unit_id, *span))
                leaks += [
                    (cell.unit_id, n) for n in re.findall(r"nevneren (\d+) ", cell.reason) if 0 < int(n) < 5
                ]
            for scope, first, last in spans:
                numerator, denominator = _window_parts(board, indicator, scope, first, last)
                checked += 1
                if protection.small_parts("share", numerator, denominator)[0]:
                    leaks.append((indicator.id, scope, first.date(), last.date(), numerator, denominator))
    finally:
        board.store.close()
    assert checked > 20
    assert leaks == []


# A figure printed hidden («:», «færre enn 5», «skjult (<5)») and the statistics computed from it.
_HIDDEN = r"(?::|færre enn \d+|skjult \(<\d+\))"
_HIDDEN_BASELINE = re.compile(r"\(grunnlinje [^;]*?: " + _HIDDEN + r"\)")
_HIDDEN_RECENT = re.compile(r"siste 12 mnd \([^()]*\) " + _HIDDEN + r"(?=[ ;.]|$)")
_P_VALUE = re.compile(r"\(p [=<] [\d,]+\)")
_INTERVAL = re.compile(r"95 % KI [\d,]")
# The power statement's baseline level and what is computed from it (the power itself, the
# window that would do); «under 80 % styrke» / «minst 80 % styrke» say only which side.
_POWER_NUMBERS = re.compile(
    r"[\d,]+ hendelser per \w+ i grunnlinjen|gir [\d,]+ % styrke|etter grunnlinjen på \d"
)


def statistics_beside_hidden(reason: str) -> list[str]:
    """The statistics a reason prints that rest on a figure it prints hidden: per indicator's
    sentence, a hidden baseline allows no p-value and no power numbers; a hidden 12-month
    figure no interval and no p-value."""
    found = []
    for sentence in re.split(r"(?<=\.) (?=[A-ZÆØÅ])", reason):
        banned = []
        if _HIDDEN_BASELINE.search(sentence):
            banned += [_P_VALUE, _POWER_NUMBERS]
        if _HIDDEN_RECENT.search(sentence):
            banned += [_P_VALUE, _INTERVAL]
        found += [m[0] for pattern in banned for m in pattern.finditer(sentence)]
    return found


def test_statistics_beside_hidden_reads_the_reasons_as_printed():
    """The parser of the test below, on main 6ca1d46's reason for Grorud m11-k2 (the leak) and
    on the same reason as printed now."""
    leak = (
        "Antall innleggelser i sengepost med fallskade per 1 000 innbyggere 65 år og eldre per år: "
        "siste 12 mnd (jan. 2025–des. 2025) 13,3 (95 % KI 9,9 til 17,6) (grunnlinje januar "
        "2022–desember 2023 (tavlas egen verdi): :); ingen statistisk sikker endring mot grunnlinjen "
        "(p = 0,553); SPC: 〰️ Vanlig variasjon; for lite data til å vurdere endringen: ca. 4,4 "
        "hendelser per måned i grunnlinjen gir 23 % styrke til å påvise 20 % nedgang; 80 % krever "
        "minst ca. 23 per måned, eller en periode etter grunnlinjen på 90 måneder (7,5 år). "
        "Antall aktive DHO-pasienter: siste 12 mnd (jan. 2025–des. 2025) færre enn 5 (95 % KI 0,1 til 5,6)"
    )
    assert statistics_beside_hidden(leak) == [
        "(p = 0,553)",
        "4,4 hendelser per måned i grunnlinjen",
        "gir 23 % styrke",
        "etter grunnlinjen på 9",
        "95 % KI 0",
    ]
    safe = (
        "Antall hoftebrudd: siste 12 mnd (jan. 2025–des. 2025) 13,3 (95 % KI 9,9 til 17,6) "
        "(grunnlinje januar 2022–desember 2023 (tavlas egen verdi): :); ingen statistisk sikker "
        "endring mot grunnlinjen; for lite data til å vurdere endringen: grunnlinjen gir under 80 % "
        "styrke til å påvise 20 % nedgang; 80 % krever minst ca. 23 per måned. Antall fall: siste 12 "
        "mnd (jan. 2025–des. 2025) 12,0 (95 % KI 9,9 til 17,6) (grunnlinje januar 2022–desember 2023 "
        "(tavlas egen verdi): 11,0); ingen statistisk sikker endring mot grunnlinjen (p = 0,553)"
    )
    assert statistics_beside_hidden(safe) == []


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_no_statistic_is_printed_beside_the_hidden_figure_it_rests_on(partnership, demo_db):
    """Main 6ca1d46 printed for Ahus, Grorud (030110), m11-k2 «13,3 (95 % KI 9,9 til 17,6)
    (grunnlinje …: :); ingen statistisk sikker endring mot grunnlinjen (p = 0,553); … ca. 4,4
    hendelser per måned i grunnlinjen gir 23 % styrke»: with the shown rate, the person-years
    and the p-value (or the power) the hidden baseline is solved for. Every reason the board
    prints (the plan's, every matrix cell's, every Kommune row's) keeps the verdict's words
    beside a hidden figure, but no number computed from it (protection.statistic_text)."""
    board = open_board(demo_db)
    try:
        datacache.clear()
        reasons = [j.reason for j in evaluate_plan(board, partnership, today=TODAY).criteria.values()]
        reasons += list(status_matrix(board, partnership, today=TODAY).cells["reason"])
        for unit_id in member_units(board, partnership)["unit_id"]:
            table = municipality_view(board, partnership, unit_id, today=TODAY).table
            reasons += [str(r) for r in table["Begrunnelse (kommunen)"]]
    finally:
        board.store.close()
    beside_hidden = [r for r in reasons if _HIDDEN_BASELINE.search(r) or _HIDDEN_RECENT.search(r)]
    assert len(beside_hidden) > 0  # the search has something to search
    assert any("statistisk sikker endring mot grunnlinjen" in r for r in beside_hidden)  # the words stay
    leaks = [(r[:120], found) for r in beside_hidden if (found := statistics_beside_hidden(r))]
    assert leaks == []
