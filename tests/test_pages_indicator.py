"""Indikator, run as a user opens it (AppTest): charts, statuses, tables, URL round trip."""

from __future__ import annotations

import json

import pytest

from analytics import config

PAGE = "pages/indicator.py"


def text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [i.value for i in at.info] + [s.value for s in at.subheader]
    # Text from data is Markdown-escaped on the page (common.safe_md): read it as shown.
    return "\n".join(parts).replace("\\", "")


def charts(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace_names(at) -> set[str]:
    return {trace.get("name") for spec in charts(at) for trace in spec["data"]}


@pytest.mark.parametrize(
    ("partnership", "indicator", "name"),
    [
        ("ahus", "hip_fractures", "Antall hoftebrudd"),
        ("ahus", "iht_municipalities", "Antall kommuner som deltar i IHT"),
        ("ahus", "dho_bed_days_after", "Liggedøgn per DHO-pasient, 12 måneder etter inklusjon"),
        ("lovesa", "stemi_pci_120", "Andel STEMI-pasienter med PCI innen 120 minutter"),
        ("lovesa", "projection_80_plus", "Framskrevet folkemengde 80 år og eldre"),
    ],
)
def test_indicator_page_for_several_indicators(app, partnership, indicator, name):
    at = app(PAGE, hf=partnership, indikator=indicator, visning="tallene")
    assert not at.exception
    assert at.header[0].value == name
    assert at.selectbox(key="url_indikator").value == indicator
    assert config.DEMO_LABEL in "\n".join(w.value for w in at.warning)
    specs = charts(at)
    assert specs, "the SPC chart is drawn"
    assert all(spec["layout"]["separators"] == ", " for spec in specs)
    assert at.dataframe, "the numbers behind the chart are shown"
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Last ned tabellen (CSV)" in labels and "Last ned som bilde (PNG)" in labels


def test_hip_fractures_shows_spc_status_funnel_and_small_multiples(app):
    at = app(PAGE, indikator="hip_fractures")
    body = text(at)
    assert "Antall hoftebrudd per 1 000 innbyggere 65 år og eldre per år: siste 12 mnd" in body
    assert "Oppnådd" in body
    assert "Forbedring (lav)" in body  # variation icon in words beside the chart
    names = trace_names(at)
    assert {"Kontrollgrenser", "Spesiell årsak – forbedring", "95 %-grenser"} <= names
    assert at.radio(key="url_visning").options == ["Kommunene sammenlignet", "Per kommune", "Tallene"]
    funnel = next(d.value for d in at.dataframe if "Plassering" in d.value.columns)
    assert "Lillestrøm" in set(funnel["Kommune"])
    at.radio(key="url_visning").set_value("per-kommune").run()
    assert "Kommunen" in trace_names(at)  # the small multiples, built when chosen


def test_too_few_points_are_said(app):
    at = app(PAGE, indikator="referral_quality_share")
    assert not at.exception
    assert any(i.value.startswith("For få datapunkter (4)") for i in at.info)
    assert "Kontrollgrenser" not in trace_names(at)


def test_suppressed_and_small_counts_for_one_municipality(app):
    at = app(PAGE, indikator="hip_fractures", kommune="3242", visning="tallene")
    assert not at.exception
    assert any("færre enn 5 tilfeller" in i.value for i in at.info)
    table = next(d.value for d in at.dataframe if "Periode" in d.value.columns)
    assert "<5" in set(table["Antall"])
    assert "skjult (<5)" in set(table["Per 1 000 innbyggere 65 år og eldre per år"])
    district = app(PAGE, indikator="hip_fractures", kommune="030110", visning="tallene")
    table = next(d.value for d in district.dataframe if "Periode" in d.value.columns)
    assert table["Merknad"].str.contains("ufullstendig").any()  # the demo's ":" cells
    # A point hidden only to protect another cell reads «:» in the note and the info, as in
    # the hover (series.figure_shown), never «færre enn 5».
    colon = table[table["Per 1 000 innbyggere 65 år og eldre per år"] == ":"]
    assert not colon.empty
    assert colon["Merknad"].str.contains("«:»").all() and not colon["Merknad"].str.contains("færre enn").any()
    assert any(f"{len(colon)} av" in i.value and "vises som «:»" in i.value for i in district.info)


def test_rollout_has_projection_first(app):
    at = app(PAGE, indikator="iht_municipalities")
    assert at.radio(key="url_visning").options[0] == "Framskriving"
    assert "Tall så langt" in trace_names(at)
    assert "nås 22 i" in text(at)


def test_url_round_trip(app):
    at = app(PAGE, indikator="fall_injury_admissions")
    assert at.selectbox(key="url_indikator").value == "fall_injury_admissions"
    at.selectbox(key="url_indikator").set_value("iht_patients").run()
    assert at.query_params["indikator"] == "iht_patients"
    assert at.header[0].value == "Antall pasienter inkludert i IHT"
    at.selectbox(key="url_kommune").set_value("3205").run()
    assert at.query_params["kommune"] == "3205"
    assert "Lillestrøm" in text(at)


def test_only_the_partnerships_own_indicators_and_units(app):
    at = app(PAGE, indikator="stemi_pci_120")  # a LoVeSa indicator asked for under Ahus
    assert not at.exception
    options = at.selectbox(key="url_indikator").options
    assert at.selectbox(key="url_indikator").value == "referral_quality_share"  # the first, not LoVeSa's
    assert "Andel STEMI-pasienter med PCI innen 120 minutter" not in options
    units = at.selectbox(key="url_kommune").options
    assert "Lillestrøm" in units and "Bodø" not in units


def test_only_the_chosen_view_is_built(app):
    at = app(PAGE, indikator="hip_fractures")
    assert len(charts(at)) == 2  # the SPC chart and the funnel; not one panel per municipality
    at.radio(key="url_visning").set_value("per-kommune").run()
    assert at.query_params["visning"] == "per-kommune"
    specs = charts(at)
    assert len(specs) == 2 and len(specs[1]["data"]) > 20  # SPC + small multiples, a panel per unit
    again = app(PAGE, indikator="hip_fractures", visning="tallene")
    assert [d for d in again.dataframe if "Periode" in d.value.columns]
    assert len(charts(again)) == 1


def test_a_link_to_an_indicator_without_figures_says_so(app):
    at = app(PAGE, hf="lovesa", indikator="iht_patients")  # Ahus' IHT: no figures in LoVeSa
    assert not at.exception
    warning = next(w.value for w in at.warning if "har ingen tall" in w.value)
    assert "Antall pasienter inkludert i IHT" in warning.replace("\\", "")
    assert "/indikator?hf=lovesa&indikator=" in warning


def test_lovesa_falls_and_hip_fractures_are_shown(app):
    at = app(PAGE, hf="lovesa", indikator="hip_fractures")
    assert not at.exception
    assert at.selectbox(key="url_indikator").value == "hip_fractures"
    assert at.header[0].value == "Antall hoftebrudd"
    assert not [w for w in at.warning if "har ingen tall" in w.value]
    assert "fall_injury_admissions" in at.selectbox(key="url_indikator").options or any(
        "fallskade" in o for o in at.selectbox(key="url_indikator").options
    )


def test_a_monthly_indicator_with_only_yearly_figures_is_shown_per_year(
    fresh_loader, store_target, tmp_path, monkeypatch
):
    """A KPR/FHI file gives only whole years for a monthly indicator (issue 12, «grain as
    data»): Indikator opens at its default «Måned» and shows the years, saying so, instead
    of a traceback («Kan ikke vise year-tall per month»); hidden small years are not met with
    advice to choose a coarser grain than a year."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT, write_csv

    yearly = "Kommune;År;Antall\n" + "".join(
        f"3205 Lillestrøm;{y};{200 + y % 7}\n3222 Lørenskog;{y};{1 + y % 4}\n" for y in range(2019, 2026)
    )
    assert fresh_loader.ingest(write_csv(tmp_path / "kpr_aar.csv", yearly), "falls_registered").ok
    monkeypatch.setenv("BOARD_DB", store_target)
    monkeypatch.chdir(ROOT)
    for unit in ("alle", "3205", "3222"):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params.update({"hf": "ahus", "indikator": "falls_registered", "kommune": unit})
        at.run()
        at.switch_page(PAGE)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = text(at)
        assert "tallene finnes og vurderes per år" in shown
        drawn = {str(x)[:7] for spec in charts(at) for trace in spec["data"] for x in trace.get("x") or []}
        if unit != "3222":  # Lørenskog's counts are all 1–4: no point is drawn
            assert {"2019-01", "2025-01"} <= drawn and "2025-02" not in drawn, sorted(
                drawn
            )  # one point a year
        else:  # every point hidden; the page offers nothing coarser than a year, so advises none
            assert "7 av 7 punkter er skjult for å verne små tall" in shown
            assert "Velg" not in shown and "grovere" not in shown


def test_the_partnerships_figure_says_when_some_members_have_none(app):
    """The demo's IHT figures come from Ahus' 22 municipalities, not the three Oslo districts:
    beside the partnership's figure the page says so (indicator_view.coverage_note)."""
    at = app(PAGE, hf="ahus", indikator="iht_patients")
    assert not at.exception
    caption = next(c.value for c in at.caption if "som har tall for indikatoren" in c.value).replace("\\", "")
    assert "de 22 av 25 kommunene og bydelene som har tall" in caption
    assert caption.endswith("Uten tall: Grorud, Stovner, Alna.")
    one = app(PAGE, hf="ahus", indikator="iht_patients", kommune="3205")
    assert not [c for c in one.caption if "som har tall for indikatoren" in c.value]
