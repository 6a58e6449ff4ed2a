"""Every plotly figure is built in one place: only analytics/figures/ imports plotly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.backend_free

FIGURES = ROOT / "analytics" / "figures"
SOURCES = ["analytics", "ui", "pages", "loaders", "safety", "dashboard.py"]


def plotly_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import of plotly or a plotly submodule in a Python source,
    also inside functions and `if TYPE_CHECKING:` blocks."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] == "plotly"]
    return found


def modules() -> list[Path]:
    files = []
    for name in SOURCES:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_only_the_figure_package_imports_plotly():
    outside = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in modules()
        if FIGURES not in path.parents
        for line, module in plotly_imports(path.read_text(encoding="utf-8"))
    ]
    assert not outside, "plotly outside analytics/figures/:\n" + "\n".join(outside)


def test_the_walk_sees_the_figure_package_and_the_pages():
    walked = modules()
    assert any(FIGURES in p.parents and plotly_imports(p.read_text(encoding="utf-8")) for p in walked)
    assert ROOT / "dashboard.py" in walked and ROOT / "ui" / "charts.py" in walked


@pytest.mark.parametrize(
    "source",
    [
        "import plotly.graph_objects as go",
        "import plotly",
        "from plotly.subplots import make_subplots",
        "from plotly import express as px",
        "def f():\n    import plotly.io as pio",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from plotly.graph_objects import Figure",
    ],
)
def test_every_form_of_plotly_import_is_caught(source):
    assert plotly_imports(source)


@pytest.mark.parametrize(
    "source", ["from analytics import figures", "import plotlyish", "from . import plotly", "x = 'plotly'"]
)
def test_other_imports_pass(source):
    assert not plotly_imports(source)
