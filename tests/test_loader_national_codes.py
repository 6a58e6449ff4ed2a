"""National files written with the codes of their own year (a 2019 file with 422 municipalities,
a 2022 file with the 356 of 2020–2023) load into a copy of the demo store: the partnership's
rows are stored under today's codes (merged municipalities summed), the rest are skipped and
counted, nothing is refused; a split touching the board's own units is still refused."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from analytics.reference import read_code_history, resolve_code_chains
from loaders.ingest import Choices
from loaders.service import Loader
from tests.conftest import new_store, write_csv
from tests.support import national_codes

INDICATOR = "iht_patients"  # a count with no demo data before 2023, so no grain check interferes


@pytest.fixture()
def loader(tmp_path: Path, demo_db):
    loader = Loader.open(new_store(tmp_path, "national", like=demo_db))
    yield loader
    loader.board.store.close()


def _national_file(tmp_path: Path, year: int, skip: set[str] = frozenset()) -> tuple[Path, dict[str, int]]:
    """Kommune;År;Antall with one row per municipality of `year` (value 10 + its row number),
    plus SSB's country and residual rows; returns the file and code → value."""
    values = {code: 10 + i for i, code in enumerate(national_codes(year)) if code not in skip}
    names = national_codes(year)
    lines = ["Kommune;År;Antall", f"0 Hele landet;{year};99999"]
    lines += [f"{code} {names[code]};{year};{value}" for code, value in values.items()]
    lines.append(f"K-Rest Uoppgitt kommune;{year};7")
    return write_csv(tmp_path / f"nasjonal_{year}.csv", "\n".join(lines) + "\n"), values


def _stored(loader: Loader, period: str) -> dict[str, float]:
    out = io.StringIO()
    loader.export_csv(out, INDICATOR, raw=True)
    frame = pd.read_csv(io.StringIO(out.getvalue()), dtype={"unit": str, "period": str})
    frame = frame[frame["period"] == period]
    return dict(zip(frame["unit"], frame["value"], strict=True))


def _ahus_municipalities(loader: Loader) -> set[str]:
    units = loader.board.units
    return set(units.loc[(units["partnership"] == "ahus") & (units["kind"] == "municipality"), "unit_id"])


def test_a_national_2019_file_loads_the_partnership_under_todays_codes(loader, tmp_path):
    path, values = _national_file(tmp_path, 2019)
    assert {"0136", "1850", "5012", "1534", "0231"} <= set(values)  # Rygge, Tysfjord, Snillfjord, Haram
    report = loader.ingest(path, INDICATOR, choices=Choices(partnership="ahus"))
    assert report.refused is None and report.problem_count == 0, report.problems[:3]
    stored = _stored(loader, "2019")
    assert set(stored) == _ahus_municipalities(loader)
    assert stored["3205"] == values["0231"] + values["0227"] + values["0226"]  # Lillestrøm: the sum
    assert stored["3207"] == values["0213"] + values["0217"]  # Nordre Follo
    assert stored["3226"] == values["0221"] + values["0121"]  # Aurskog-Høland with Rømskog
    assert stored["3222"] == values["0230"]  # Lørenskog, renumbered twice
    # every other municipality of 2019 is skipped and counted (Tysfjord's parts are in LoVeSa)
    chains = resolve_code_chains(read_code_history())
    today = dict(zip(chains["old_code"], chains["current_code"], strict=False))
    inside = {c for c in values if today.get(c, c) in stored}
    outside = len(values) - len(inside)
    assert any(f"{outside} rader for kommuner utenfor helsefellesskapet" in note for note in report.notes), (
        report.notes
    )


def test_a_national_2022_file_loads_the_partnership_under_todays_codes(loader, tmp_path):
    path, values = _national_file(tmp_path, 2022)
    assert {"3030", "1507", "5444", "3002"} <= set(values)  # the 2020–2023 codes
    report = loader.ingest(path, INDICATOR, choices=Choices(partnership="ahus"))
    assert report.refused is None and report.problem_count == 0, report.problems[:3]
    stored = _stored(loader, "2022")
    assert set(stored) == _ahus_municipalities(loader)
    assert stored["3205"] == values["3030"] and stored["3209"] == values["3033"]
    assert stored["3401"] == values["3401"]  # Kongsvinger kept its 2020 code


def test_a_national_2019_file_for_lovesa_refuses_only_the_split_touching_it(loader, tmp_path):
    """Tysfjord 1850 went to Hamarøy (LoVeSa) and Narvik: it cannot be carried over, and says so;
    Snillfjord (split outside the board) is skipped like any other row."""
    path, _ = _national_file(tmp_path, 2019)
    report = loader.preview(path, INDICATOR, choices=Choices(partnership="lovesa"))
    texts = [str(problem) for problem in report.problems]
    assert report.problem_count == 1, texts
    assert (
        "«1850 Tysfjord» ble delt mellom flere kommuner og kan ikke føres over til dagens kommuner"
        in texts[0]
    )
    path, _ = _national_file(tmp_path, 2019, skip={"1850"})
    assert loader.preview(path, INDICATOR, choices=Choices(partnership="lovesa")).problem_count == 0
