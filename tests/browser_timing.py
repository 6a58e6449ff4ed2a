"""Browser timing on the national store: `python -m tests.browser_timing` (after `make bench` has
made bench_out/national/).

Drives Debian's chromium (Playwright) against the board on the national store (357
municipalities) and against an empty Streamlit page started the same way, and times, each as the
median of N switches:

* Indikator: choosing another indicator until its SPC chart is drawn (goal ≤ 2 s);
* the floor: choosing another value in the empty page's selectbox until its text is shown.

Prints seconds and the ratio to the floor. Not a pytest module; no timed assertions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.bench_pages import DEFAULT_DIR, paths, use_directory
from tests.browser_support import TIMEOUT, launch_browser, start_server

EMPTY_PAGE = """
import streamlit as st
choice = st.selectbox("Valg", ["a", "b"], key="valg")
st.write(f"Valgt: {choice}")
"""
GOAL_SWITCH = 2.0


def _choose(page, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox (a combobox; the sidebar's page link of the
    same name is not it): type to filter, take the exact match."""
    box = page.get_by_role("combobox", name=label).first
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def time_indicator_switch(browser, url: str, names: list[str], runs: int) -> list[float]:
    """Seconds from choosing an indicator until its chart is drawn, `runs` times."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(4 * TIMEOUT)
    page.goto(f"{url}/indikator?hf=norge")
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    seconds = []
    for index in range(runs):
        name = names[index % len(names)]
        started = time.perf_counter()
        _choose(page, "Indikator", name)
        page.get_by_role("heading", name=name, exact=True).wait_for()
        page.wait_for_function(
            "() => !document.querySelector('[data-stale=\"true\"]') && "
            "document.querySelectorAll('.js-plotly-plot .main-svg').length > 0"
        )
        seconds.append(time.perf_counter() - started)
    context.close()
    return seconds


def time_floor(browser, url: str, runs: int) -> list[float]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.get_by_text("Valgt: a").wait_for()
    seconds = []
    for index in range(runs):
        option = "b" if index % 2 == 0 else "a"
        started = time.perf_counter()
        _choose(page, "Valg", option)
        page.get_by_text(f"Valgt: {option}").wait_for()
        seconds.append(time.perf_counter() - started)
    context.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.browser_timing", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the national store (make bench)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    where = paths(args.dir)
    if not where["db"].exists():
        print(f"Fant ikke {where['db']}: kjør «make bench» først.")
        return 1
    use_directory(args.dir)
    from analytics.board import open_board
    from analytics.indicator_view import shown_indicator_ids

    board = open_board(where["db"])
    plan = next(iter(board.plans.values()))
    # The selectbox's own options (indicators with figures), the plan's first; the page opens
    # on the first option, so the switches start from the second.
    shown = shown_indicator_ids(board, plan.id)
    in_plan = [i for i in dict.fromkeys(i for _, c in plan.criteria for i in c.indicators) if i in shown]
    ids = [shown[0], *[i for i in in_plan if i != shown[0]]][:4]
    names = [board.registry.get(i).name for i in ids[1:]] + [board.registry.get(ids[0]).name]
    board.store.close()
    empty = Path(tempfile.mkdtemp(prefix="floor-")) / "empty.py"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")
    with launch_browser() as browser:
        with start_server(where["db"], timeout=180) as url:
            switch = time_indicator_switch(browser, url, names, args.runs)
        with start_server(where["db"], script=empty) as url:
            floor = time_floor(browser, url, args.runs)
    s, f = statistics.median(switch), statistics.median(floor)
    print(
        f"Bytte indikator til tegnet figur: median {s:.2f} s (alle: {', '.join(f'{x:.2f}' for x in switch)})"
    )
    print(f"Gulv (tom side, bytte valg):      median {f:.2f} s")
    print(
        f"Forhold: {s / f:.1f} × gulvet · mål ≤ {GOAL_SWITCH:.0f} s: {'nådd' if s <= GOAL_SWITCH else 'IKKE nådd'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
