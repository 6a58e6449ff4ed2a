"""Saved uploads on disk: one folder each, removed on request, stale ones swept."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from loaders import upload_files

pytestmark = pytest.mark.backend_free


def test_save_keeps_the_bytes_under_the_files_own_name_and_remove_takes_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(upload_files.tempfile, "tempdir", str(tmp_path))
    path = upload_files.save(b"Kommune;Periode;Antall\n", "../../uttrekk æøå.csv")
    assert path.name == "uttrekk æøå.csv" and path.parent.parent == tmp_path  # no way out of its folder
    assert path.read_bytes() == b"Kommune;Periode;Antall\n"
    upload_files.remove(path)
    assert not path.parent.exists()


def test_remove_leaves_folders_it_did_not_make(tmp_path):
    other = tmp_path / "analytikerens-mappe"
    other.mkdir()
    (other / "fil.csv").write_text("x")
    upload_files.remove(other / "fil.csv")
    assert (other / "fil.csv").exists()


def test_sweep_removes_only_folders_older_than_the_limit(tmp_path):
    old = tmp_path / f"{upload_files.PREFIX}gammel"
    new = tmp_path / f"{upload_files.PREFIX}ny"
    unrelated = tmp_path / "annet-gammelt"
    for folder in (old, new, unrelated):
        folder.mkdir()
        (folder / "fil.csv").write_text("x")
    day_ago = time.time() - 24 * 3600
    os.utime(old, (day_ago, day_ago))
    os.utime(unrelated, (day_ago, day_ago))
    assert upload_files.sweep(tmp_path) == 1
    assert not old.exists() and new.exists() and unrelated.exists()


def test_a_new_upload_sweeps_what_closed_sessions_left(tmp_path, monkeypatch):
    monkeypatch.setattr(upload_files.tempfile, "tempdir", str(tmp_path))
    left = Path(tmp_path / f"{upload_files.PREFIX}forlatt")
    left.mkdir()
    long_ago = time.time() - upload_files.STALE_SECONDS - 60
    os.utime(left, (long_ago, long_ago))
    upload_files.save(b"x", "ny.csv")
    assert not left.exists()
