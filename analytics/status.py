"""Status vocabulary, the rule that judges one criterion, and the roll-up. Pure functions.

The rule, by criterion kind. It lives here and nowhere else (README "Statusregelen" repeats
it in Norwegian); analytics.evaluate only gathers the Evidence.

| kind         | Oppnådd                         | På sporet / Ikke på sporet / Usikker (before the deadline)          | Forsinket                        |
|--------------|---------------------------------|---------------------------------------------------------------------|----------------------------------|
| milestone    | recorded «Oppnådd»              | «Pågår» → På sporet; «Ikke startet» → Usikker                       | deadline passed, not «Oppnådd»   |
| target, with | latest value reaches the target | projection (linear trend) reaches it by the deadline → På sporet,   | deadline passed, target not      |
| a deadline   | (late: said in the reason)      | else Ikke på sporet; no projection → SPC assurance (below); neither | reached (the reason gives the    |
|              |                                 | → Usikker                                                           | pace: when it would be reached)  |
| target,      | a rollout (count toward the     | rollout: today's pace reaches all members within 5 years → På       | –                                |
| Fortløpende  | members) that reaches it        | sporet, else Ikke på; a level (share, rate): SPC assurance:         |                                  |
|              |                                 | consistent_pass → På sporet,                                        |                                  |
|              |                                 | consistent_fail → Ikke på sporet, inconsistent → Usikker; under 12  |                                  |
|              |                                 | points: latest reaches target → På sporet, else Usikker             |                                  |
| trend        | deadline passed and improvement | improvement → På sporet; concern → Ikke på sporet; else Usikker     | deadline passed, no improvement  |
| coverage     | every unit in scope has it      | as a target (units with it vs units in scope)                       | deadline passed, not all         |
| before_after | use after lower than before     | (never: judged on the latest comparison) → else Ikke på sporet      | –                                |
| monitor      | –                               | always «Følges»                                                     | –                                |

On the Kommune page the same rule judges one municipality: a count of municipalities
becomes "the municipality takes part" (target 1); for a "more municipalities" target
(``min_increase``) a municipality that does not take part is «Følges», since the plan does
not ask it of every municipality.

A rollout (a count of municipalities) only climbs, so its SPC limits describe no stable
process: it gets no assurance icon, and the projection answers instead.

"Improvement" for a trend is the SPC variation icon of the newest point (special cause in
the improving direction, NHS Making Data Count); with fewer than 12 points it is the exact
test of the last 12 months against the baseline year (p < 0,05 in the improving direction).
No usable data → «Mangler data».

Roll-up (criteria → measure → goal / target group / focus area): the worst part wins in the
order Forsinket, Ikke på sporet, Usikker, Mangler data, På sporet, Oppnådd, so a missing
figure never hides a red; «Følges» counts only when every part is «Følges».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from analytics import formatting


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


ASSURANCE_REASON = {
    "consistent_pass": "SPC: når målet stabilt (målet ligger utenfor kontrollgrensene, på riktig side)",
    "consistent_fail": "SPC: når ikke målet med dagens prosess (målet ligger utenfor kontrollgrensene)",
    "inconsistent": "SPC: treffer og bommer (målet ligger innenfor kontrollgrensene)",
}


@dataclass(frozen=True)
class Evidence:
    """What the data says about one criterion; every field may be unknown (None)."""

    latest: float | None = None
    latest_period: str | None = None
    target: float | None = None
    target_text: str | None = None
    head: str | None = None  # the opening of the reason, if evaluate words it itself
    reached_text: str | None = None  # e.g. " i 2. kvartal 2026, etter fristen"
    projected_in_time: bool | None = None
    projection_text: str | None = None
    assurance: str | None = None  # SPC: consistent_pass / consistent_fail / inconsistent
    hold_level: bool = False  # a level to keep (share, rate), not a count to reach
    shared_target: bool = False  # one municipality of a "more municipalities" target: not required
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
    return formatting.number(value, 0 if float(value).is_integer() else 1)


def _sentence(*parts: str | None) -> str:
    """Join parts with '; ' and end with one full stop."""
    text = "; ".join(p.strip().rstrip(".") for p in parts if p and p.strip())
    return f"{text}." if text else ""


def judge(kind: str, evidence: Evidence, due: dt.date | None, today: dt.date) -> Judgement:
    """Status and a one-line Norwegian reason for one criterion (the table above)."""
    passed = _deadline_passed(due, today)
    frist = f"fristen {due:%d.%m.%Y}" if due else "fortløpende"
    if kind == "monitor":
        text = "Følges over tid; vurderes ikke mot et mål."
        return Judgement(Status.monitored, f"{text} {_sentence(evidence.trend_text)}".strip())
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
        return _judge_target(kind, evidence, due, passed, frist)
    if kind == "trend":
        if evidence.latest is None:
            return Judgement(Status.no_data, "Ingen tall er lastet inn for indikatoren.")
        text = evidence.trend_text or ""
        if evidence.improving:
            return Judgement(Status.achieved if passed else Status.on_track, _sentence(text))
        if passed:
            return Judgement(Status.overdue, _sentence(text, f"ingen påvist forbedring innen {frist}"))
        if evidence.worsening:
            return Judgement(Status.off_track, _sentence(text))
        return Judgement(Status.uncertain, _sentence(text, "ingen påvist endring ennå"))
    if kind == "before_after":
        if evidence.before is None or evidence.after is None:
            return Judgement(Status.no_data, "Mangler tall for før og/eller etter.")
        better = (
            evidence.after < evidence.before if evidence.lower_is_better else evidence.after > evidence.before
        )
        head = f"Før {_fmt(evidence.before)}, etter {_fmt(evidence.after)}"
        if better:
            word = "lavere" if evidence.lower_is_better else "høyere"
            return Judgement(Status.achieved, f"{head}: {word} etter innføring.")
        return Judgement(Status.off_track, f"{head}: ingen forbedring etter innføring.")
    raise ValueError(f"unknown criterion kind {kind!r}")


def _judge_target(kind: str, ev: Evidence, due: dt.date | None, passed: bool, frist: str) -> Judgement:
    if kind == "coverage" and ev.units_in_scope:
        latest, target = ev.units_with, ev.units_in_scope
    else:
        latest, target = ev.latest, ev.target
    if latest is None:
        return Judgement(Status.no_data, "Ingen tall er lastet inn for indikatoren.")
    if target is None:
        return Judgement(Status.no_data, f"Siste verdi {_fmt(latest)}; målet er ikke tallfestet.")
    head = ev.head or f"{ev.target_text or 'Verdi'} {_fmt(latest)} av {_fmt(target)}"
    lower_wins = ev.lower_is_better and kind == "target"
    reached = (latest <= target) if lower_wins else (latest >= target)
    # A level to hold with no end date is never "done": SPC assurance judges it.
    hold = ev.hold_level and due is None
    if reached and not hold:
        return Judgement(Status.achieved, _sentence(f"{head}; målet er nådd{ev.reached_text or ''}"))
    if ev.shared_target:
        return Judgement(
            Status.monitored, _sentence(head, "målet gjelder helsefellesskapet samlet, ikke hver kommune")
        )
    if passed:
        return Judgement(Status.overdue, _sentence(head, f"ikke nådd innen {frist}", ev.projection_text))
    if ev.projected_in_time is not None and not hold:
        status = Status.on_track if ev.projected_in_time else Status.off_track
        return Judgement(status, _sentence(head, ev.projection_text))
    if ev.assurance in ASSURANCE_REASON:
        status = {
            "consistent_pass": Status.on_track,
            "consistent_fail": Status.off_track,
            "inconsistent": Status.uncertain,
        }[ev.assurance]
        return Judgement(status, _sentence(head, ASSURANCE_REASON[ev.assurance]))
    if hold and reached:
        return Judgement(
            Status.on_track,
            _sentence(head, "siste verdi når målet; for få punkter til å vurdere stabiliteten"),
        )
    return Judgement(Status.uncertain, _sentence(head, "for få tall til å anslå om målet nås"))


def roll_up(statuses: list[Status]) -> Status:
    """The worst part wins; «Følges» only when every part is «Følges»; nothing → Mangler data."""
    judged = [s for s in statuses if s is not Status.monitored]
    if not judged:
        return Status.monitored if statuses else Status.no_data
    return min(judged, key=SEVERITY.index)
