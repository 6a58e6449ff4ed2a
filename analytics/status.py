"""Status vocabulary, the rule that judges one criterion, and the roll-up. Pure functions.

The rule, by criterion kind. It lives here and nowhere else (README "Statusregelen" repeats
it in Norwegian, and a test holds the two to the same words); analytics.evaluate only
gathers the Evidence. Before a trend or level verdict, analytics.power asks whether the
series could show the change the criterion asks for; if not: «For lite data».

| kind         | Oppnådd                          | På sporet / Ikke på sporet / Usikker (before the deadline)         | Forsinket                        |
|--------------|----------------------------------|--------------------------------------------------------------------|----------------------------------|
| milestone    | recorded «Oppnådd»               | «Pågår» → På sporet; «Ikke startet» → Usikker                      | deadline passed, not «Oppnådd»   |
| target, with | a count: the value at the        | the projection's 80 % prediction interval at the deadline: all of  | deadline passed, target not      |
| a deadline   | deadline reaches it; a level     | it reaches the target → På sporet, none of it → Ikke på sporet,    | reached by the deadline (after   |
|              | (share, rate): the process does  | it straddles → Usikker; no projection → SPC assurance (below);     | the deadline: said in the reason)|
|              | (SPC assurance or 12 months' CI) | neither → Usikker                                                  |                                  |
| target,      | a rollout (count toward the      | rollout: the interval at a 5-year horizon, as above. A level       | –                                |
| Fortløpende  | members) that reaches it         | (share, rate): SPC assurance: consistent_pass → På sporet,         |                                  |
|              |                                  | consistent_fail → Ikke på sporet, inconsistent → Usikker; under 12 |                                  |
|              |                                  | points: the 12 months' CI clears the target → På sporet, else      |                                  |
|              |                                  | Usikker                                                            |                                  |
| trend        | deadline passed and improvement  | improvement → På sporet; concern → Ikke på sporet; else Usikker    | deadline passed, no improvement  |
|              | by the deadline                  |                                                                    | by the deadline                  |
| coverage     | every unit in scope has it       | as a target (units with it vs units in scope)                      | deadline passed, not all         |
| before_after | with a comparison group: the     | with a comparison: significantly worse → Ikke på sporet, else      | –                                |
|              | difference in differences is     | Usikker. Without one («ukontrollert før–etter»): better → Usikker, |                                  |
|              | significantly better             | not better → Ikke på sporet; never Oppnådd                         |                                  |
| monitor      | –                                | always «Følges»                                                    | –                                |
| any trend or | –                                | «For lite data» when the series cannot show the change asked for   | never (For lite data instead)    |
| level target |                                  | (analytics.power: under 80 % power); the reason says what would do |                                  |

On the Kommune page the same rule judges one municipality: a count of municipalities
becomes "the municipality takes part" (target 1); for a "more municipalities" target
(``min_increase``) a municipality that does not take part is «Følges», since the plan does
not ask it of every municipality.

A rollout (a count of municipalities) only climbs, so its SPC limits describe no stable
process: it gets no SPC icons, and the projection answers instead.

"Improvement" for a trend: the SPC variation icon of the newest point (special cause in the
improving direction, NHS Making Data Count; limits from the criterion's baseline, new
limits only from a change date the plan gives), or the exact test of the last 12 months
against the baseline (p < 0,05 in the improving direction). A trend whose data can show no
change at all (no baseline figure for the test and under 12 points for SPC: evaluate.blind_trend)
is «For lite data». SPC assurance is withheld when the newest point is a special cause that
undermines it (spc._valid_assurance); the reason says so. After the deadline only data
up to the deadline count; what came after is said separately («forbedring etter fristen»).
Every verdict that rests on a projection or an estimate gives its interval in the reason.
No usable data → «Mangler data».

Hidden cells (suppressed 1–4) in an aggregate over several units, not resolved by the
source file's own total: the criterion is judged at both ends of their range as well
(every hidden cell at 1, and at threshold − 1; analytics.series.verdict_range). The same
status at both ends (and at the expected value) is kept, and the reason says the hidden
cells do not change it; different statuses give «Usikker», naming both ends
(``judge_over_range``).

Roll-up (criteria → measure → goal / target group / focus area): the worst part wins in the
order Forsinket, Ikke på sporet, Usikker, Mangler data, For lite data, På sporet, Oppnådd,
so a missing or too thin figure never hides a red; «Følges» counts only when every part is
«Følges».
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
    too_little_data = "For lite data"
    monitored = "Følges"


# Icon and colour: never colour alone (the icon and the word carry the meaning).
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.achieved: ("✅", "#1a7f37"),
    Status.on_track: ("🟢", "#2da44e"),
    Status.uncertain: ("🟡", "#bf8700"),
    Status.off_track: ("🔴", "#cf222e"),
    Status.overdue: ("⏰", "#8c1d18"),
    Status.no_data: ("⚪", "#6e7781"),
    Status.too_little_data: ("🔍", "#8c959f"),
    Status.monitored: ("👁", "#0969da"),
}

SEVERITY = [
    Status.overdue,
    Status.off_track,
    Status.uncertain,
    Status.no_data,
    Status.too_little_data,
    Status.on_track,
    Status.achieved,
]

MILESTONE_STATES = ("Ikke startet", "Pågår", "Oppnådd")


@dataclass(frozen=True)
class Judgement:
    """status and its reason. rests_on: "recent" where a level target's status rests on its
    newest 12 months' interval (reached by the process, or not reached by the deadline), which
    the reason names after the newest period; None where the reason's first figure decides
    (evaluate.LEAD_FIGURE). The value shown beside the status follows it
    (indicator_view.criterion_value)."""

    status: Status
    reason: str
    rests_on: str | None = None

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
    """What the data says about one criterion; every field may be unknown (None).

    projection_band: where the projection's prediction interval lies at the deadline (or
    horizon): "reaches" (all of it reaches the target), "misses" (none of it does) or
    "straddles"; it decides before ``projected_in_time`` (the trend line alone), which is
    kept for callers that have no interval. process_reached: a level (share, rate) is met
    by the process (SPC assurance passes, or the last 12 months' confidence interval lies
    on the right side of the target); None when that cannot be said.
    """

    latest: float | None = None
    latest_period: str | None = None
    target: float | None = None
    target_text: str | None = None
    head: str | None = None  # the opening of the reason, if evaluate words it itself
    reached_text: str | None = None  # e.g. " i 2. kvartal 2026, etter fristen"
    projected_in_time: bool | None = None
    projection_band: str | None = None  # reaches / straddles / misses
    projection_text: str | None = None
    interval_text: str | None = None  # '80 % prediksjonsintervall −28 til 179'
    assurance: str | None = None  # SPC: consistent_pass / consistent_fail / inconsistent
    # SPC: why there is no assurance although there are limits and a target (the newest point
    # is a special cause: the limits describe the process before the change; spc._valid_assurance)
    assurance_note: str | None = None
    process_reached: bool | None = None  # a level: the process meets the target
    process_text: str | None = None  # '12 mnd 86,2 % (95 % KI 84,0 til 88,1)'
    hold_level: bool = False  # a level to keep (share, rate), not a count to reach
    shared_target: bool = False  # one municipality of a "more municipalities" target: not required
    improving: bool | None = None  # SPC: special cause in the improving direction
    worsening: bool | None = None  # SPC: special cause in the concerning direction
    trend_text: str | None = None
    enough_data: bool | None = None  # analytics.power: can the series show the change?
    power_text: str | None = None  # the power rule's sentence (what would be needed)
    after_deadline_text: str | None = None  # 'forbedring etter fristen (2. kvartal 2023)'
    milestone_state: str | None = None
    milestone_done: dt.date | None = None
    units_with: int | None = None
    units_in_scope: int | None = None
    before: float | None = None
    after: float | None = None
    controlled: bool = False  # before/after: compared with a comparison group
    did_text: str | None = None  # the difference in differences, with its interval and test
    did_better: bool | None = None  # significant improvement (True), worsening (False), or None
    lower_is_better: bool = False
    # The reason when there is no value: evaluate words it for one unit whose partnership has
    # figures («Ingen tall for kommunen …»); None: NO_FIGURES.
    no_data_text: str | None = None
    # Why a target the plan quantifies has no value here (evaluate.target_missing: «målet (+20 %
    # fra 2023) kan ikke regnes ut: ingen tall for grunnlinjeåret 2023»); None: not quantified.
    target_missing: str | None = None


NO_FIGURES = "Ingen tall er lastet inn for indikatoren."


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


def _too_little(head: str | None, ev: Evidence) -> Judgement:
    return Judgement(
        Status.too_little_data,
        _sentence(head, f"for lite data til å vurdere endringen: {ev.power_text or ''}".rstrip(": ")),
    )


def judge(kind: str, evidence: Evidence, due: dt.date | None, today: dt.date) -> Judgement:
    """Status and a one-line Norwegian reason for one criterion (the table above).

    today: the day judged as (analytics.evaluate passes ``as_of`` here); after ``due`` the
    evidence must already be cut at the deadline, with later data in after_deadline_text.
    """
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
        return _judge_trend(evidence, passed, frist)
    if kind == "before_after":
        return _judge_before_after(evidence)
    raise ValueError(f"unknown criterion kind {kind!r}")


def _judge_trend(ev: Evidence, passed: bool, frist: str) -> Judgement:
    if ev.latest is None:
        return Judgement(Status.no_data, ev.no_data_text or NO_FIGURES)
    text = ev.trend_text or ""
    if ev.enough_data is False:
        return _too_little(text, ev)
    if ev.improving:
        return Judgement(Status.achieved if passed else Status.on_track, _sentence(text))
    if passed:
        return Judgement(
            Status.overdue, _sentence(text, f"ingen påvist forbedring innen {frist}", ev.after_deadline_text)
        )
    if ev.worsening:
        return Judgement(Status.off_track, _sentence(text))
    return Judgement(Status.uncertain, _sentence(text, "ingen påvist endring ennå"))


def _judge_before_after(ev: Evidence) -> Judgement:
    if ev.before is None or ev.after is None:
        return Judgement(Status.no_data, "Mangler tall for før og/eller etter.")
    better = ev.after < ev.before if ev.lower_is_better else ev.after > ev.before
    head = f"Før {_fmt(ev.before)}, etter {_fmt(ev.after)}"
    if not ev.controlled:
        # Patients enrolled at a peak improve anyway (regression to the mean): without a
        # comparison group a fall says nothing about the measure.
        note = "ukontrollert før–etter uten sammenligningsgruppe; bedringen kan skyldes regresjon mot gjennomsnittet"
        if better:
            word = "lavere" if ev.lower_is_better else "høyere"
            return Judgement(Status.uncertain, _sentence(f"{head}: {word} etter innføring", note))
        return Judgement(Status.off_track, _sentence(f"{head}: ingen forbedring etter innføring", note))
    if ev.did_better is True:
        return Judgement(Status.achieved, _sentence(head, ev.did_text))
    if ev.did_better is False:
        return Judgement(Status.off_track, _sentence(head, ev.did_text))
    return Judgement(Status.uncertain, _sentence(head, ev.did_text))


BAND_STATUS = {"reaches": Status.on_track, "misses": Status.off_track, "straddles": Status.uncertain}


def _judge_target(kind: str, ev: Evidence, due: dt.date | None, passed: bool, frist: str) -> Judgement:
    if kind == "coverage" and ev.units_in_scope:
        latest, target = ev.units_with, ev.units_in_scope
    else:
        latest, target = ev.latest, ev.target
    if latest is None:
        return Judgement(Status.no_data, ev.no_data_text or NO_FIGURES)
    if target is None:
        # The head shows the newest figure as the tables do (a protected count: «færre enn 5»).
        first = ev.head or f"Siste verdi {_fmt(latest)}"
        return Judgement(Status.no_data, _sentence(first, ev.target_missing or "målet er ikke tallfestet"))
    head = ev.head or f"{ev.target_text or 'Verdi'} {_fmt(latest)} av {_fmt(target)}"
    lower_wins = ev.lower_is_better and kind == "target"
    # A level (share, rate) is reached by its process, never by one point; a count of
    # units (a rollout, coverage) is a fact, so its value counts.
    if ev.hold_level:
        if ev.enough_data is False:
            return _too_little(head, ev)
        reached = bool(ev.process_reached)
    else:
        reached = (latest <= target) if lower_wins else (latest >= target)
    # A level to hold with no end date is never "done": the process judges it.
    hold = ev.hold_level and due is None
    # Reached or not by the newest 12 months' interval (process_text names it): the status rests
    # on those 12 months, not on the newest period the head names.
    process = "recent" if ev.hold_level and ev.process_text else None
    if reached and not hold:
        return Judgement(
            Status.achieved,
            _sentence(f"{head}; målet er nådd{ev.reached_text or ''}", ev.process_text),
            process,
        )
    if ev.shared_target:
        return Judgement(
            Status.monitored, _sentence(head, "målet gjelder helsefellesskapet samlet, ikke hver kommune")
        )
    if passed:
        return Judgement(
            Status.overdue,
            _sentence(
                head, f"ikke nådd innen {frist}", ev.process_text, ev.after_deadline_text, ev.projection_text
            ),
            process,
        )
    if ev.projection_band in BAND_STATUS and not hold:
        return Judgement(
            BAND_STATUS[ev.projection_band],
            _sentence(head, ev.process_text, ev.projection_text, ev.interval_text),
        )
    if ev.projected_in_time is not None and not hold:
        status = Status.on_track if ev.projected_in_time else Status.off_track
        return Judgement(status, _sentence(head, ev.process_text, ev.projection_text, ev.interval_text))
    if ev.assurance in ASSURANCE_REASON:
        status = {
            "consistent_pass": Status.on_track,
            "consistent_fail": Status.off_track,
            "inconsistent": Status.uncertain,
        }[ev.assurance]
        return Judgement(status, _sentence(head, ASSURANCE_REASON[ev.assurance], ev.process_text))
    if hold and reached:
        return Judgement(
            Status.on_track,
            _sentence(
                head, ev.process_text, "for få punkter til SPC; konfidensintervallet ligger på riktig side"
            ),
            process,
        )
    return Judgement(
        Status.uncertain,
        _sentence(head, ev.process_text, ev.assurance_note or "for få tall til å anslå om målet nås"),
    )


def judge_over_range(
    point: Judgement,
    lower: Judgement,
    upper: Judgement,
    hidden_cells: int,
    period: str,
    lower_text: str,
    upper_text: str,
    high_end: int = 4,
) -> Judgement:
    """One verdict from the verdicts at the expected value and at both ends of a range.

    point, lower, upper: the judgement with every unresolved hidden cell at its expected
    value, at 1 and at ``high_end`` (threshold − 1); hidden_cells: how many such cells the
    judged periods hold; period, lower_text, upper_text: the newest period with a range and
    its value at each end, already formatted (e.g. 'okt. 2026', '6,1 per 1 000').

    The same status everywhere: that judgement, with the range and «skjulte celler (n)
    endrer ikke vurderingen» added. Different statuses: «Usikker», with both ends' statuses
    and values, then the reason at the expected value. Usikker is chosen rather than the
    worse of the two (the roll-up order): the roll-up combines parts that are each known,
    while the two ends are alternatives of which only one is true, so the worse one would
    claim a red (or «Forsinket») the data cannot show, and a verdict the data cannot
    support is not given. «Følges» is no verdict: only the range is added.
    """
    span = f"{period}: mellom {lower_text} og {upper_text} avhengig av skjulte celler"
    if point.status is Status.monitored:
        return Judgement(point.status, _sentence(point.reason, span), point.rests_on)
    if point.status == lower.status == upper.status:
        return Judgement(
            point.status,
            _sentence(point.reason, span, f"skjulte celler ({hidden_cells}) endrer ikke vurderingen"),
            point.rests_on,
        )
    changes = (
        f"Skjulte celler ({hidden_cells}) kan endre vurderingen: med hver skjult celle lik 1 "
        f"({period} {lower_text}) blir den «{lower.status.value}», lik {high_end} ({period} {upper_text}) "
        f"«{upper.status.value}»"
    )
    return Judgement(
        Status.uncertain, f"{_sentence(changes)} Ved forventet verdi: {point.reason}", point.rests_on
    )


def roll_up(statuses: list[Status]) -> Status:
    """The worst part wins (``SEVERITY``); «Følges» only when every part is «Følges»;
    nothing → Mangler data."""
    judged = [s for s in statuses if s is not Status.monitored]
    if not judged:
        return Status.monitored if statuses else Status.no_data
    return min(judged, key=SEVERITY.index)


# A criterion's roll-up cannot claim more than this with one of its indicators unknown.
_GOOD = (Status.on_track, Status.achieved)


def roll_up_parts(statuses: list[Status], without_figures: list[bool]) -> tuple[Status, bool]:
    """A criterion's status from its indicators' (its parts'), where a part may have no
    figures at all for the unit judged (a municipality that reports one of the two counts of
    «Antall inkluderte og aktive DHO-pasienter»). Returns (status, capped): capped is True when
    a good verdict was lowered to «Usikker» for a part without figures (the reason says so).

    statuses: each part's status; without_figures: per part, True when the unit has no figure
    for it (its «Mangler data» says «Ingen tall for kommunen …»).

    - Every part has figures, or none has: ``roll_up`` (the worst wins; none: «Mangler data»).
    - Some have: those are rolled up. A part without figures is no evidence, so it does not
      make a judged criterion «Mangler data», which is for a criterion with no figures to
      judge (DESIGN.md §3); a real count of 0 beside «Mangler data» would contradict it. Nor
      is it evidence of success: it could hold any verdict, and the worst part wins, so a
      roll-up of «På sporet» or «Oppnådd» becomes «Usikker», the verdict given when the
      values the data allow lead to different statuses (``judge_over_range``: a verdict the
      data cannot support is not given). «For lite data» and worse stand: the missing part
      cannot make a criterion that cannot be told, or is off track, any better.

    Raises ValueError when the two lists differ in length (``zip(strict=True)``)."""
    known = [s for s, bare in zip(statuses, without_figures, strict=True) if not bare]
    if not known or len(known) == len(statuses):
        return roll_up(statuses), False
    status = roll_up(known)
    if status in _GOOD:
        return Status.uncertain, True
    return status, False
