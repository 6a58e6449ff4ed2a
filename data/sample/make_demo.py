"""Make the synthetic demo extracts (fixed seed) as analysts really receive them.

Every file is written in a format an analyst gets from its source:
- NPR-like (hip fractures, fall-injury admissions, acute-care shares): windows-1252, `;`,
  decimal comma, a title row, units as "3205 Lillestrøm", periods as 2024M01 / 2024K1,
  a few suppressed cells (":").
- Municipal record systems (falls, fall-risk assessments): windows-1252, `;`, year and month
  in two columns, unit by code.
- Project reports (IHT, DHO, rollouts): UTF-8, `;`, wide (one column per quarter).

The numbers are invented. Levels are set to be believable (hip fractures near the national
rate per 1 000 aged 80+; IHT and DHO rolling out municipality by municipality), nothing more.
Run: python data/sample/make_demo.py [--out DIR] [--today YYYY-MM-DD]  (default: BOARD_TODAY, else today)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data" / "reference"
SEED = 20240101
FIRST_YEAR = 2019
SUPPRESSED = ":"


def latest_complete_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_starts(end: dt.date) -> list[dt.date]:
    return [d.date() for d in pd.date_range(dt.date(FIRST_YEAR, 1, 1), end, freq="MS")]


def quarter_starts(end_month: dt.date) -> list[dt.date]:
    last_complete = dt.date(end_month.year, 3 * ((end_month.month - 1) // 3) + 1, 1)
    if end_month.month % 3 != 0:  # the quarter is not complete yet
        last_complete = (pd.Timestamp(last_complete) - pd.DateOffset(months=3)).date()
    return [d.date() for d in pd.date_range(dt.date(FIRST_YEAR, 1, 1), last_complete, freq="QS")]


def nb_number(value: float, decimals: int = 0) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",")


def write(path: Path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


def table_text(
    header: list[str], rows: list[list[str]], title: str | None = None, footer: str | None = None
) -> str:
    buffer = io.StringIO()
    if title:
        buffer.write(title + "\r\n")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    if footer:
        buffer.write("\r\n" + footer + "\r\n")
    return buffer.getvalue()


def load_units() -> pd.DataFrame:
    units = pd.read_csv(REFERENCE / "units.csv", dtype=str, keep_default_na=False)
    return units[units["kind"].isin(["municipality", "district"])].reset_index(drop=True)


def load_population() -> pd.DataFrame:
    """Population 2024 per unit and age group from the reference file (approximate figures)."""
    frame = pd.read_csv(REFERENCE / "population_07459.csv", sep=";", encoding="cp1252", skiprows=1, dtype=str)
    frame = frame[frame["år"] == "2024"].dropna(subset=["Personer"])
    frame["unit_id"] = frame["region"].str.split(" ").str[0]
    frame["Personer"] = frame["Personer"].astype(int)
    return frame.pivot_table(index="unit_id", columns="alder", values="Personer", aggfunc="sum")


class DemoMaker:
    def __init__(self, out: Path, today: dt.date) -> None:
        self.out = out
        self.rng = np.random.default_rng(SEED)
        self.units = load_units()
        self.population = load_population()
        self.end_month = latest_complete_month(today)
        self.months = month_starts(self.end_month)
        self.quarters = quarter_starts(self.end_month)
        self.written: list[tuple[str, str]] = []  # (file name, indicator id or profile)

    def pop(self, unit_id: str, group: str) -> int:
        try:
            return int(self.population.loc[unit_id, group])
        except KeyError:
            return 1000

    def label(self, unit_id: str) -> str:
        name = self.units.loc[self.units["unit_id"] == unit_id, "name"].iloc[0]
        return f"{unit_id} {name}"

    def members(self, partnership: str) -> list[str]:
        return self.units.loc[self.units["partnership"] == partnership, "unit_id"].tolist()

    # -- NPR-like monthly counts --------------------------------------------------------

    def npr_monthly(
        self,
        indicator: str,
        file_name: str,
        group: str,
        yearly_rate: float,
        change: float,
        partnership: str = "ahus",
    ) -> None:
        """Counts per month; `change` is the relative fall per year from 2024 (the plan period)."""
        rows = []
        for unit_id in self.members(partnership):
            base = self.pop(unit_id, group) * yearly_rate / 1000 / 12
            for month in self.months:
                years_in = max(0.0, (month.year - 2024) + (month.month - 1) / 12)
                season = 1 + 0.15 * np.cos(2 * np.pi * (month.month - 1) / 12)  # more in winter
                expected = base * season * (1 - change) ** years_in
                count = int(self.rng.poisson(expected))
                cell = SUPPRESSED if self.rng.random() < 0.01 else str(count)
                rows.append([self.label(unit_id), f"{month.year}M{month.month:02d}", cell])
        title = f"NPR-uttrekk: {file_name} (SYNTETISKE DEMODATA)"
        footer = "Kilde: Norsk pasientregister (demodata laget av make_demo.py). «:» = skjult."
        write(
            self.out / file_name, table_text(["Kommune", "Periode", "Antall"], rows, title, footer), "cp1252"
        )
        self.written.append((file_name, indicator))

    # -- municipal record systems: year + month in two columns, code only -------------------

    def municipal_monthly(self, indicator: str, file_name: str, rate: float, growth: float) -> None:
        rows = []
        for unit_id in self.members("ahus"):
            if len(unit_id) != 4:
                continue  # Oslo districts report through the city's own system, not here
            base = self.pop(unit_id, "65 år eller eldre") * rate / 1000 / 12
            start = dt.date(2020 + int(self.rng.integers(0, 3)), 1, 1)  # registration starts
            for month in self.months:
                if month < start:
                    continue
                years_in = max(0.0, (month.year - 2024) + (month.month - 1) / 12)
                count = int(self.rng.poisson(base * (1 + growth) ** years_in))
                rows.append([unit_id, str(month.year), str(month.month), str(count)])
        write(self.out / file_name, table_text(["Kommunenr", "År", "Måned", "Antall"], rows), "cp1252")
        self.written.append((file_name, indicator))

    # -- project reports: wide, one column per quarter ----------------------------------

    def rollout(
        self, partnership: str, indicator: str, file_name: str, start: dt.date, share_by_end: float
    ) -> dict[str, dt.date]:
        """1 from the quarter a municipality joins; returns the join dates."""
        members = [u for u in self.members(partnership) if len(u) == 4]
        order = self.rng.permutation(members)
        joined = int(round(share_by_end * len(members)))
        quarters = [q for q in self.quarters if q >= start]
        join_dates = {
            str(unit): quarters[min(len(quarters) - 1, int(i * len(quarters) / max(1, joined)))]
            for i, unit in enumerate(order[:joined])
        }
        header = ["Kommune", *[f"{q.year}K{(q.month - 1) // 3 + 1}" for q in quarters]]
        rows = [
            [self.label(u), *["1" if u in join_dates and q >= join_dates[u] else "0" for q in quarters]]
            for u in members
        ]
        write(self.out / file_name, table_text(header, rows), "utf-8")
        self.written.append((file_name, indicator))
        return join_dates

    def patients(
        self, indicator: str, file_name: str, joins: dict[str, dt.date], per_quarter: float, partnership: str
    ) -> None:
        members = [u for u in self.members(partnership) if len(u) == 4]
        quarters = [q for q in self.quarters if q >= min(joins.values(), default=self.quarters[-1])]
        header = ["Kommune", *[f"{q.year}K{(q.month - 1) // 3 + 1}" for q in quarters]]
        rows = []
        for unit in members:
            scale = self.pop(unit, "I alt") / 30000
            cells = []
            for q in quarters:
                if unit not in joins or q < joins[unit]:
                    cells.append("0")
                    continue
                age = (q.year - joins[unit].year) * 4 + (q.month - joins[unit].month) // 3
                cells.append(str(int(self.rng.poisson(per_quarter * scale * min(1.0, 0.3 + 0.15 * age)))))
            rows.append([self.label(unit), *cells])
        write(self.out / file_name, table_text(header, rows), "utf-8")
        self.written.append((file_name, indicator))

    def stock_from_joins(
        self, indicator: str, file_name: str, joins: dict[str, dt.date], per_unit: float, partnership: str
    ) -> None:
        """A stock (e.g. active patients) that builds up after a municipality joins; monthly, long."""
        rows = []
        for unit in [u for u in self.members(partnership) if len(u) == 4]:
            scale = self.pop(unit, "I alt") / 30000
            level = 0.0
            for month in self.months:
                if unit in joins and month >= joins[unit]:
                    level = level + (per_unit * scale - level) * 0.12
                    rows.append(
                        [
                            self.label(unit),
                            f"{month.year}-{month.month:02d}",
                            str(int(self.rng.poisson(level))),
                        ]
                    )
        write(self.out / file_name, table_text(["Kommune", "Måned", "Antall aktive"], rows), "utf-8")
        self.written.append((file_name, indicator))

    def pathways(self, indicator: str, file_name: str, joins: dict[str, dt.date], partnership: str) -> None:
        members = [u for u in self.members(partnership) if len(u) == 4]
        header = ["Kommune", *[f"{q.year}K{(q.month - 1) // 3 + 1}" for q in self.quarters]]
        rows = []
        for unit in members:
            cells, level = [], 0
            for q in self.quarters:
                if unit in joins and q >= joins[unit]:
                    level = min(5, level + int(self.rng.random() < 0.25) + (0 if level else 1))
                cells.append(str(level))
            rows.append([self.label(unit), *cells])
        write(self.out / file_name, table_text(header, rows), "utf-8")
        self.written.append((file_name, indicator))

    def share(
        self, indicator: str, file_name: str, partnership: str, base: float, gain: float, per_1000: float
    ) -> None:
        """Quarterly numerator/denominator per municipality (NPR-like, windows-1252)."""
        rows = []
        for unit in [u for u in self.members(partnership) if len(u) == 4]:
            cases = self.pop(unit, "I alt") * per_1000 / 1000 / 4
            for q in self.quarters:
                years_in = max(0.0, q.year - 2022 + (q.month - 1) / 12)
                p = min(0.97, base + gain * years_in)
                den = int(self.rng.poisson(cases))
                num = int(self.rng.binomial(den, p)) if den else 0
                label = f"{q.year}K{(q.month - 1) // 3 + 1}"
                rows.append([self.label(unit), label, str(num), str(den)])
        title = f"Kvalitetsindikator: {file_name} (SYNTETISKE DEMODATA)"
        write(
            self.out / file_name,
            table_text(["Kommune", "Periode", "Teller", "Nevner"], rows, title),
            "cp1252",
        )
        self.written.append((file_name, indicator))

    def regions_coverage(self, indicator: str, file_name: str, partnership: str) -> None:
        regions = pd.read_csv(REFERENCE / "units.csv", dtype=str)
        regions = regions[(regions["kind"] == "region") & (regions["partnership"] == partnership)]
        header = ["Region", *[f"{q.year}K{(q.month - 1) // 3 + 1}" for q in self.quarters if q.year >= 2024]]
        rows = []
        for i, name in enumerate(regions["name"]):
            joins_at = 2 + 2 * i
            rows.append([name, *["1" if k >= joins_at else "0" for k in range(len(header) - 1)]])
        write(self.out / file_name, table_text(header, rows), "utf-8")
        self.written.append((file_name, indicator))

    def yearly_score(
        self, indicator: str, file_name: str, partnership: str, values: dict[int, float]
    ) -> None:
        rows = [["Hele helsefellesskapet", "", ""]]  # a total row, as exports often have
        for unit in [u for u in self.members(partnership) if len(u) == 4]:
            for year, value in values.items():
                rows.append([self.label(unit), str(year), nb_number(value + self.rng.normal(0, 0.4), 1)])
        write(self.out / file_name, table_text(["Kommune", "År", "Verdi"], rows), "cp1252")
        self.written.append((file_name, indicator))

    def yearly_share(self, indicator: str, file_name: str, partnership: str, start_share: float) -> None:
        rows = []
        for unit in [u for u in self.members(partnership) if len(u) == 4]:
            for year in range(2021, self.end_month.year):
                den = int(self.rng.integers(8, 40))
                p = min(0.95, start_share + 0.07 * (year - 2021))
                rows.append([self.label(unit), str(year), str(int(self.rng.binomial(den, p))), str(den)])
        write(self.out / file_name, table_text(["Kommune", "År", "Teller", "Nevner"], rows), "cp1252")
        self.written.append((file_name, indicator))

    def milestones(self) -> None:
        """A register of milestone states, as an analyst would have kept it (demo only)."""
        rows = []
        for plan_path in sorted((ROOT / "data" / "plan").glob("*.yaml")):
            plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
            partnership = plan["partnership"]["id"]
            for measure in plan["measures"]:
                deadline = str(measure.get("deadline") or "Fortløpende")
                last_year = int(deadline[-4:]) if deadline[-4:].isdigit() else self.end_month.year
                for criterion in measure.get("criteria", []):
                    if criterion["kind"] != "milestone":
                        continue
                    draw = self.rng.random()
                    state = "Oppnådd" if draw < 0.6 else "Pågår" if draw < 0.85 else "Ikke startet"
                    done = ""
                    if state == "Oppnådd":
                        month = int(self.rng.integers(1, 13))
                        done = dt.date(min(last_year, self.end_month.year), month, 15)
                        done = min(done, self.end_month).isoformat()
                    rows.append([partnership, criterion["id"], state, done, "Demodata"])
        text = table_text(["partnerskap", "kriterium", "status", "dato", "kommentar"], rows)
        write(self.out / "milepaeler.csv", text, "utf-8")

    def make_all(self) -> list[tuple[str, str]]:
        self.out.mkdir(parents=True, exist_ok=True)
        self.milestones()
        # Ahus: falls and fractures
        self.npr_monthly("hip_fractures", "npr_hoftebrudd.csv", "80 år eller eldre", 34.0, 0.06)
        self.npr_monthly("fall_injury_admissions", "npr_fallskader.csv", "65 år eller eldre", 16.0, 0.03)
        self.municipal_monthly("falls_registered", "fagsystem_fall.csv", 90.0, 0.10)
        self.municipal_monthly("fall_risk_assessments", "fagsystem_fallrisiko.csv", 40.0, 0.25)
        # Ahus: rollouts and project reports
        iht = self.rollout("ahus", "iht_municipalities", "iht_kommuner.csv", dt.date(2023, 1, 1), 0.6)
        self.patients("iht_patients", "iht_pasienter.csv", iht, 12.0, "ahus")
        self.patients("iht_pathways", "iht_forlop.csv", iht, 15.0, "ahus")
        dho = self.rollout("ahus", "dho_municipalities", "dho_kommuner.csv", dt.date(2022, 1, 1), 0.55)
        self.patients("dho_included_patients", "dho_inkluderte.csv", dho, 6.0, "ahus")
        self.stock_from_joins("dho_active_patients", "dho_aktive.csv", dho, 30.0, "ahus")
        self.pathways("dho_pathways", "dho_forlop.csv", dho, "ahus")
        self.yearly_score(
            "dho_bed_days_before",
            "dho_liggedogn_for.csv",
            "ahus",
            {2022: 9.1, 2023: 8.8, 2024: 8.9, 2025: 9.0},
        )
        self.yearly_score(
            "dho_bed_days_after",
            "dho_liggedogn_etter.csv",
            "ahus",
            {2022: 7.4, 2023: 6.9, 2024: 6.2, 2025: 5.9},
        )
        self.rollout("ahus", "postnatal_municipalities", "barsel_kommuner.csv", dt.date(2024, 1, 1), 0.35)
        self.rollout("ahus", "stillas_municipalities", "stillas_kommuner.csv", dt.date(2024, 4, 1), 0.2)
        self.rollout("ahus", "fact_team_municipalities", "fact_rop_kommuner.csv", dt.date(2021, 1, 1), 0.45)
        self.rollout(
            "ahus", "open_dialogue_municipalities", "apen_dialog_kommuner.csv", dt.date(2024, 1, 1), 0.3
        )
        self.regions_coverage("fact_young_teams", "fact_ung_team.csv", "ahus")
        young = {u: dt.date(2024, 4, 1) for u in self.members("ahus") if len(u) == 4}
        self.patients("fact_young_patients", "fact_ung_pasienter.csv", young, 1.5, "ahus")
        self.yearly_share("referral_quality_share", "bup_henvisninger.csv", "ahus", 0.55)
        # LoVeSa: DHO, acute care chains, cancer pathway home
        lovesa_dho = self.rollout(
            "lovesa", "dho_municipalities", "lovesa_dho_kommuner.csv", dt.date(2019, 1, 1), 0.7
        )
        self.patients("dho_included_patients", "lovesa_dho_inkluderte.csv", lovesa_dho, 5.0, "lovesa")
        self.stock_from_joins("dho_active_patients", "lovesa_dho_aktive.csv", lovesa_dho, 25.0, "lovesa")
        self.share("stemi_pci_120", "lovesa_stemi_pci.csv", "lovesa", 0.62, 0.03, 1.1)
        self.share("stroke_thrombolysis_30", "lovesa_hjerneslag_trombolyse.csv", "lovesa", 0.40, 0.035, 0.6)
        self.share("sepsis_antibiotics_1h", "lovesa_sepsis_antibiotika.csv", "lovesa", 0.70, 0.03, 2.0)
        self.rollout(
            "lovesa",
            "cancer_pathway_municipalities",
            "lovesa_pakkeforlop_kommuner.csv",
            dt.date(2022, 4, 1),
            0.65,
        )
        self.share(
            "cancer_pathway_conversation_share", "lovesa_pakkeforlop_samtale.csv", "lovesa", 0.35, 0.08, 3.0
        )
        # LoVeSa: hip fractures and fall injuries, so the shared knowledge base (Befolkning) can show
        # expected demand there too. Drawn last, so every file above keeps its numbers.
        self.npr_monthly(
            "hip_fractures", "lovesa_npr_hoftebrudd.csv", "80 år eller eldre", 34.0, 0.0, "lovesa"
        )
        self.npr_monthly(
            "fall_injury_admissions", "lovesa_npr_fallskader.csv", "65 år eller eldre", 16.0, 0.0, "lovesa"
        )
        return self.written


def board_today() -> dt.date:
    """The board's today (analytics.clock: BOARD_TODAY when set, else the machine's date), so
    the demo ends with the last whole month before the day the board judges as of."""
    if str(ROOT) not in sys.path:  # run as a script from the data folder
        sys.path.insert(0, str(ROOT))
    from analytics import clock

    return clock.today()


def main(argv: list[str] | None = None) -> list[tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "sample" / "out")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    written = DemoMaker(args.out, args.today or board_today()).make_all()
    manifest = "\n".join(f"{name};{indicator}" for name, indicator in written)
    (args.out / "manifest.csv").write_text("fil;indikator\n" + manifest + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    main()
