"""Status vocabulary, the rule that judges one criterion, and the roll-up. Pure functions.

The rule, by criterion kind (README "Statusregelen" repeats this table):

| kind          | Oppnådd                          | På sporet / Ikke på sporet / Usikker                     | Forsinket                       |
|---------------|----------------------------------|----------------------------------------------------------|---------------------------------|
| milestone     | recorded «Oppnådd»               | «Pågår» → På sporet; «Ikke startet» → Usikker            | deadline passed, not «Oppnådd»  |
| target        | latest value reaches the target  | projection reaches it in time → På sporet, else Ikke på  | deadline passed, not reached    |
| trend         | deadline passed and improvement  | improvement → På sporet; concern → Ikke på; else Usikker | deadline passed, no improvement |
| coverage      | every unit in scope has it       | as target (units with it vs units in scope)              | deadline passed, not all        |
| before_after  | use after lower than before      | (never: judged on the latest comparison)                 | –                               |
| monitor       | –                                | always «Følges»                                          | –                               |

No usable data → «Mangler data». Roll-up (criteria → measure → goal → focus area): the worst
part wins in the order Forsinket, Ikke på sporet, Usikker, Mangler data, På sporet, Oppnådd,
so a missing figure never hides a red; «Følges» counts only when every part is «Følges».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    achieved = "Oppnådd"
    on_track = "På sporet"
    uncertain = "Usikker"
    off_track = "Ikke på sporet"
    overdue = "Forsinket"
    no_data = "Mangler data"
    monitored = "Følges"


# Icon and colour: never colour alone (the icon and the word carry the meaning).
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.achieved: ("✅", "#1a7f37"),
    Status.on_track: ("🟢", "#2da44e"),
    Status.uncertain: ("🟡", "#bf8700"),
    Status.off_track: ("🔴", "#cf222e"),
    Status.overdue: ("⏰", "#8c1d18"),
    Status.no_data: ("⚪", "#6e7781"),
    Status.monitored: ("👁", "#0969da"),
}

SEVERITY = [
    Status.overdue,
    Status.off_track,
    Status.uncertain,
    Status.no_data,
    Status.on_track,
    Status.achieved,
]

MILESTONE_STATES = ("Ikke startet", "Pågår", "Oppnådd")


@dataclass(frozen=True)
class Judgement:
    status: Status
    reason: str

    @property
    def icon(self) -> str:
        return STATUS_STYLE[self.status][0]

    @property
    def colour(self) -> str:
        return STATUS_STYLE[self.status][1]

    @property
    def label(self) -> str:
        return f"{self.icon} {self.status.value}"


@dataclass(frozen=True)
class Evidence:
    """What the data says about one criterion; every field may be unknown (None)."""

    latest: float | None = None
    latest_period: str | None = None
    target: float | None = None
    target_text: str | None = None
    projected_in_time: bool | None = None
    projection_text: str | None = None
    improving: bool | None = None  # SPC: special cause in the improving direction
    worsening: bool | None = None  # SPC: special cause in the concerning direction
    trend_text: str | None = None
    milestone_state: str | None = None
    milestone_done: dt.date | None = None
    units_with: int | None = None
    units_in_scope: int | None = None
    before: float | None = None
    after: float | None = None
    lower_is_better: bool = False


def _deadline_passed(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")


def judge(kind: str, evidence: Evidence, due: dt.date | None, today: dt.date) -> Judgement:
    """Status and a one-line Norwegian reason for one criterion."""
    passed = _deadline_passed(due, today)
    frist = f"fristen {due:%d.%m.%Y}" if due else "fortløpende"
    if kind == "monitor":
        return Judgement(Status.monitored, "Følges over tid; vurderes ikke mot et mål.")
    if kind == "milestone":
        state = evidence.milestone_state
        if state == "Oppnådd":
            when = f" {evidence.milestone_done:%d.%m.%Y}" if evidence.milestone_done else ""
            return Judgement(Status.achieved, f"Registrert som oppnådd{when}.")
        if passed:
            return Judgement(Status.overdue, f"Ikke registrert som oppnådd innen {frist}.")
        if state == "Pågår":
            return Judgement(Status.on_track, f"Arbeidet pågår; {frist}.")
        if state == "Ikke startet":
            return Judgement(Status.uncertain, f"Ikke startet; {frist}.")
        return Judgement(Status.no_data, "Ingen status er registrert for milepælen.")
    if kind in ("target", "coverage"):
        if kind == "coverage" and evidence.units_in_scope:
            latest, target = evidence.units_with, evidence.units_in_scope
        else:
            latest, target = evidence.latest, evidence.target
        if latest is None:
            return Judgement(Status.no_data, "Ingen tall er lastet inn for indikatoren.")
        if target is None:
            return Judgement(Status.no_data, f"Siste verdi {_fmt(latest)}; målet er ikke tallfestet.")
        head = f"{evidence.target_text or 'Verdi'} {_fmt(latest)} av {_fmt(target)}"
        lower_wins = evidence.lower_is_better and kind == "target"
        if (latest <= target) if lower_wins else (latest >= target):
            return Judgement(Status.achieved, f"{head}; målet er nådd.")
        if passed:
            return Judgement(Status.overdue, f"{head}; ikke nådd innen {frist}.")
        projection = f"; {evidence.projection_text}" if evidence.projection_text else ""
        if evidence.projected_in_time is True:
            return Judgement(Status.on_track, f"{head}{projection}")
        if evidence.projected_in_time is False:
            return Judgement(Status.off_track, f"{head}{projection}")
        return Judgement(Status.uncertain, f"{head}; for få tall til å anslå om målet nås.")
    if kind == "trend":
        if evidence.latest is None:
            return Judgement(Status.no_data, "Ingen tall er lastet inn for indikatoren.")
        text = evidence.trend_text or ""
        if evidence.improving:
            return Judgement(Status.achieved if passed else Status.on_track, text)
        if passed:
            return Judgement(Status.overdue, f"{text} Ingen påvist forbedring innen {frist}.".strip())
        if evidence.worsening:
            return Judgement(Status.off_track, text)
        return Judgement(Status.uncertain, text)
    if kind == "before_after":
        if evidence.before is None or evidence.after is None:
            return Judgement(Status.no_data, "Mangler tall for før og/eller etter.")
        better = (
            evidence.after < evidence.before if evidence.lower_is_better else evidence.after > evidence.before
        )
        head = f"Før {_fmt(evidence.before)}, etter {_fmt(evidence.after)}"
        if better:
            return Judgement(Status.achieved, f"{head}: forbruket er lavere etter innføring.")
        return Judgement(Status.off_track, f"{head}: ingen nedgang etter innføring.")
    raise ValueError(f"unknown criterion kind {kind!r}")


def roll_up(statuses: list[Status]) -> Status:
    """The worst part wins; «Følges» only when every part is «Følges»; nothing → Mangler data."""
    judged = [s for s in statuses if s is not Status.monitored]
    if not judged:
        return Status.monitored if statuses else Status.no_data
    return min(judged, key=SEVERITY.index)
