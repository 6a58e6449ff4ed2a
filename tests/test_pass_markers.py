"""The two passes of `make test` (DuckDB, then BOARD_TEST_BACKEND=postgres) leave tests out by
marker, so the markers are checked: a `backend_free` test that opens a store fails, and a test
that takes pg_cluster without `own_backends` is a collection error. Each case runs in a child
pytest with the suite's own fixtures (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.backend_free
pytest_plugins = ["pytester"]

CONFTEST = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from tests.conftest import (  # noqa: F401
    _backend_free_check, monkeypatch, pg_cluster, pytest_collection_modifyitems, pytest_configure,
    pytest_sessionfinish,
)
"""


def test_a_backend_free_test_that_opens_a_store_fails(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_inner="""
        import pytest
        pytestmark = pytest.mark.backend_free

        def test_pure():
            assert sum([1, 2]) == 3

        def test_opens(tmp_path):
            from analytics.store import open_store
            open_store(tmp_path / "x.duckdb").close()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*backend_free, men testen åpnet et lager*x.duckdb*"])


def test_pg_cluster_without_own_backends_is_refused(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_inner="""
        import pytest

        @pytest.mark.own_backends
        def test_marked(pg_cluster):
            pass

        def test_unmarked(pg_cluster):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*without @pytest.mark.own_backends*test_unmarked*"])
    assert "test_marked" not in result.stderr.str()
