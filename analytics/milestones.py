"""The milestones register: every milestone criterion of a plan with its recorded state.

The state comes from the store (analytics.store.milestone_events, latest per criterion); the
status and "Forsinket" come from the same rule that judges every criterion (analytics.status),
so the register and the plan pages never disagree.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import clock, formatting
from analytics.plan import CriterionKind, Plan
from analytics.status import MILESTONE_STATES, STATUS_STYLE, Evidence, Status, judge

NOT_RECORDED = "Ikke registrert"

REGISTER_COLUMNS = [
    "criterion_id",
    "criterion",
    "measure_id",
    "measure",
    "target_group_id",
    "target_group",
    "goal_id",
    "responsible",
    "deadline",
    "start",
    "due",
    "state",
    "done_date",
    "comment",
    "evidence",
    "changed_by",
    "changed_at",
    "status",
    "reason",
    "overdue",
]


def as_date(value: object) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def clean(value: object) -> str | None:
    """Text or None (pandas gives NaN for a missing string)."""
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value)


def register(plan: Plan, states: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """One row per milestone criterion, in plan order (see REGISTER_COLUMNS).

    `states` is Store.milestone_states(plan.id). `start`/`due` span the deadline: a deadline
    `2024-2025` runs 1.1.2024–31.12.2025; `Fortløpende` spans the plan period and is never overdue.
    """
    today = today or clock.today()
    latest = {str(row["criterion_id"]): row for _, row in states.iterrows()} if not states.empty else {}
    rows = []
    for measure, criterion in plan.criteria:
        if criterion.kind is not CriterionKind.milestone:
            continue
        parent = plan.parent_of(measure)
        deadline = plan.effective_deadline(measure)
        due = deadline.due_date if deadline else None
        if deadline and deadline.first_year:
            start = dt.date(deadline.first_year, 1, 1)
        else:
            start = dt.date(plan.partnership.period_start, 1, 1)
        record = latest.get(criterion.id)
        state = clean(record["status"]) if record is not None else None
        done = as_date(record["done_date"]) if record is not None else None
        judgement = judge("milestone", Evidence(milestone_state=state, milestone_done=done), due, today)
        rows.append(
            {
                "criterion_id": criterion.id,
                "criterion": criterion.text.strip(),
                "measure_id": measure.id,
                "measure": f"{parent.text} {measure.text}" if parent else measure.text,
                "target_group_id": measure.target_group,
                "target_group": plan.target_group(measure.target_group).name,
                "goal_id": measure.goal,
                "responsible": ", ".join(measure.responsible or (parent.responsible if parent else [])),
                "deadline": deadline.text if deadline else "",
                "start": start,
                "due": due or dt.date(plan.partnership.period_end, 12, 31),
                "state": state,
                "done_date": done,
                "comment": clean(record["comment"]) if record is not None else None,
                "evidence": clean(record["evidence"]) if record is not None else None,
                "changed_by": clean(record["changed_by"]) if record is not None else None,
                "changed_at": record["changed_at"] if record is not None else None,
                "status": judgement.status,
                "reason": judgement.reason,
                "overdue": judgement.status is Status.overdue,
            }
        )
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The register as the page and exports show it: Norwegian headings and formats."""
    return pd.DataFrame(
        {
            "Milepæl": frame["criterion"],
            "Tiltak": frame["measure"],
            "Målgruppe": frame["target_group"],
            "Ansvarlig": frame["responsible"],
            "Frist": frame["deadline"],
            "Status": [f"{STATUS_STYLE[Status(s)][0]} {s}" for s in frame["status"]],
            "Registrert": frame["state"].fillna(NOT_RECORDED),
            "Dato oppnådd": [formatting.date(d) if d else "" for d in frame["done_date"]],
            "Kommentar": frame["comment"].fillna(""),
            "Dokumentasjon": frame["evidence"].fillna(""),
        }
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Store.milestone_history as a table: newest first, who and when."""
    return pd.DataFrame(
        {
            "Endret": [pd.Timestamp(t).strftime("%d.%m.%Y %H:%M") for t in history["changed_at"]],
            "Av": history["changed_by"],
            "Status": history["status"],
            "Dato oppnådd": [formatting.date(as_date(d)) if as_date(d) else "" for d in history["done_date"]],
            "Kommentar": history["comment"].map(lambda v: clean(v) or ""),
            "Dokumentasjon": history["evidence"].map(lambda v: clean(v) or ""),
        }
    )


def validate_edit(state: str, done_date: dt.date | None, today: dt.date | None = None) -> str | None:
    """A Norwegian message when an edit cannot be stored, else None."""
    today = today or clock.today()
    if state not in MILESTONE_STATES:
        return f"Ukjent status «{state}» (bruk {', '.join(MILESTONE_STATES)})."
    if state == "Oppnådd" and done_date is None:
        return "Oppgi datoen milepælen ble oppnådd."
    if done_date is not None and done_date > today:
        return "Datoen for når milepælen ble oppnådd kan ikke være fram i tid."
    return None


def normalise_edit(state: str, done_date: dt.date | None) -> dt.date | None:
    """Only «Oppnådd» carries a done date; other states store none."""
    return done_date if state == "Oppnådd" else None


# Legend order and words; colours from the shared status style (the word is always there too).
TIMELINE_STATUSES = [
    Status.achieved,
    Status.on_track,
    Status.uncertain,
    Status.no_data,
    Status.overdue,
]
TIMELINE_WORDS = {
    Status.achieved: "Oppnådd",
    Status.on_track: "Pågår",
    Status.uncertain: "Ikke startet",
    Status.no_data: NOT_RECORDED,
    Status.overdue: "Forsinket",
}
