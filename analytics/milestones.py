"""The milestones register: every milestone criterion of a plan with its recorded state.

The state comes from the store (analytics.store.milestone_events, latest per criterion); the
status and "Forsinket" come from the same rule that judges every criterion (analytics.status),
so the register and the plan pages never disagree.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics import formatting
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
    today = today or dt.date.today()
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
    today = today or dt.date.today()
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


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: int = 22) -> str:
    """Break a long target group name over lines (plotly tick labels take <br>)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def month_ticks(first: dt.date, last: dt.date, step: int = 6) -> tuple[list[str], list[str]]:
    """Tick positions every `step` months with Norwegian month names (plotly has English only)."""
    tick = dt.date(first.year, 1, 1)
    values, labels = [], []
    while tick <= last:
        values.append(tick.isoformat())
        labels.append(formatting.month_year(tick))
        month = tick.month - 1 + step
        tick = dt.date(tick.year + month // 12, month % 12 + 1, 1)
    return values, labels


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


def timeline_figure(frame: pd.DataFrame, today: dt.date | None = None) -> go.Figure:
    """Milestones as bars from the start of the deadline to the deadline, grouped by target group.

    Overdue ones are red and labelled "Forsinket"; a diamond marks the date a milestone was done;
    a dashed line marks today. No emoji: PNG export runs in a chromium without emoji fonts.
    """
    today = today or dt.date.today()
    fig = go.Figure()
    if frame.empty:
        fig.add_annotation(text="Planen har ingen milepæler.", showarrow=False, x=0.5, y=0.5)
        return fig
    ordered = frame.sort_values(["target_group", "due", "criterion_id"], kind="stable")
    y_axis = [
        ordered["target_group"].map(_wrap).tolist(),
        [f"{m} · {_short(c)}" for m, c in zip(ordered["measure_id"], ordered["criterion"], strict=True)],
    ]
    ms_per_day = 24 * 3600 * 1000
    for status in TIMELINE_STATUSES:
        mask = (ordered["status"] == status).to_numpy()
        if not mask.any():
            continue
        part = ordered[mask]
        word = TIMELINE_WORDS[status]
        hover = [
            f"<b>{c}</b><br>{m}<br>Ansvarlig: {r or '–'}<br>Frist: {d}<br>Status: {word}"
            + (f"<br>Oppnådd: {formatting.date(done)}" if done else "")
            + (f"<br>{clean(comment)}" if clean(comment) else "")
            for c, m, r, d, done, comment in zip(
                part["criterion"],
                part["measure"].map(_short),
                part["responsible"],
                part["deadline"],
                part["done_date"],
                part["comment"],
                strict=True,
            )
        ]
        fig.add_trace(
            go.Bar(
                name=word,
                orientation="h",
                y=[
                    [y_axis[0][i] for i in range(len(mask)) if mask[i]],
                    [y_axis[1][i] for i in range(len(mask)) if mask[i]],
                ],
                base=[pd.Timestamp(s).isoformat() for s in part["start"]],
                x=[
                    (pd.Timestamp(e) - pd.Timestamp(s)).days * ms_per_day + ms_per_day
                    for s, e in zip(part["start"], part["due"], strict=True)
                ],
                marker={"color": STATUS_STYLE[status][1]},
                text=["Forsinket" if status is Status.overdue else word] * len(part),
                textposition="outside",
                cliponaxis=False,
                hovertext=hover,
                hoverinfo="text",
            )
        )
    done = ordered[ordered["done_date"].notna()]
    if not done.empty:
        keep = ordered["done_date"].notna().to_numpy()
        fig.add_trace(
            go.Scatter(
                name="Dato oppnådd",
                x=[pd.Timestamp(d).isoformat() for d in done["done_date"]],
                y=[
                    [y_axis[0][i] for i in range(len(keep)) if keep[i]],
                    [y_axis[1][i] for i in range(len(keep)) if keep[i]],
                ],
                mode="markers",
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": "#24292f",
                    "line": {"color": "white", "width": 1},
                },
                hovertext=[f"Oppnådd {formatting.date(d)}" for d in done["done_date"]],
                hoverinfo="text",
            )
        )
    fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line={"dash": "dash", "color": "#57606a"})
    fig.add_annotation(
        x=pd.Timestamp(today).isoformat(),
        y=1.0,
        yref="paper",
        text="I dag",
        showarrow=False,
        yanchor="bottom",
    )
    first = min(ordered["start"].min(), today)
    last = max(ordered["due"].max(), today)
    ticks, labels = month_ticks(first, last)
    fig.update_layout(
        barmode="overlay",
        xaxis={
            "type": "date",
            "title": "Frist",
            "tickvals": ticks,
            "ticktext": labels,
            # room on the right for the status word after the longest bar
            "range": [
                pd.Timestamp(first).isoformat(),
                (pd.Timestamp(last) + pd.DateOffset(months=5)).isoformat(),
            ],
        },
        yaxis={"autorange": "reversed", "title": None},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "title": {"text": "Status: "}},
        height=max(360, 70 + 34 * len(ordered)),
        margin={"l": 20, "r": 20, "t": 70, "b": 60},
        hoverlabel={"align": "left"},
    )
    return fig
