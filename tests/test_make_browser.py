"""`make run` and `make test` first run `make browser`: chromium is installed with apt when it is
missing and we are root on Debian; otherwise one line says what to install. Run against fake
`id` and `apt-get` on an otherwise empty PATH (so the real chromium is not found)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make") or "/usr/bin/make"


def fake_bin(tmp_path: Path, uid: int, apt: bool, chromium: bool = False) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    scripts = {"id": f"#!/bin/sh\necho {uid}\n"}
    if apt:
        scripts["apt-get"] = f'#!/bin/sh\necho "$@" >> {tmp_path / "apt.log"}\n'
    if chromium:
        scripts["chromium"] = "#!/bin/sh\nexit 0\n"
    for name, body in scripts.items():
        (directory / name).write_text(body)
        (directory / name).chmod(0o755)
    return directory


def make_browser(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(ROOT), "browser"],
        env={"PATH": str(directory)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_root_on_debian_installs_chromium_with_apt(tmp_path):
    result = make_browser(fake_bin(tmp_path, uid=0, apt=True))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "apt.log").read_text().splitlines() == ["update -qq", "install -y -qq chromium"]


@pytest.mark.parametrize(("uid", "apt"), [(1000, True), (0, False)])
def test_otherwise_one_line_says_what_to_install(tmp_path, uid, apt):
    result = make_browser(fake_bin(tmp_path, uid=uid, apt=apt))
    assert result.returncode == 0
    assert result.stdout.strip().splitlines() == [
        "Mangler chromium: installer Debians «chromium» (sudo apt-get install chromium) for PNG, "
        "PowerPoint og nettlesertestene."
    ]
    assert not (tmp_path / "apt.log").exists()


def test_nothing_happens_when_chromium_is_there(tmp_path):
    result = make_browser(fake_bin(tmp_path, uid=0, apt=True, chromium=True))
    assert result.returncode == 0 and result.stdout == ""
    assert not (tmp_path / "apt.log").exists()
