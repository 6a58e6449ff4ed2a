"""Mapping profiles (loaders/profiles/*.yaml): how a recurring source names its columns."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from analytics import config
from loaders.normalise import ColumnRoles


class ProfileError(Exception):
    pass


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    description: str = ""
    indicator: str | None = None  # the indicator every row measures, unless indicator_column
    indicator_column: str | None = None  # a column whose values pick the indicator (e.g. alder)
    indicators: dict[str, str] = {}
    columns: dict[str, str] = {}  # role → column name: unit, period, year, subperiod, value, ...
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None

    def roles(self, columns: list[str]) -> ColumnRoles | None:
        if not self.columns:
            return None
        missing = [c for c in self.columns.values() if c not in columns]
        if missing:
            raise ProfileError(f"Profilen «{self.id}» forventer kolonnen «{missing[0]}», som filen ikke har")
        return ColumnRoles(**self.columns)


def load_profiles(directory: Path | None = None) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for path in sorted((directory or config.PROFILE_DIR).glob("*.yaml")):
        try:
            profile = Profile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ProfileError(f"Profilfilen «{path.name}» er ugyldig: {exc}") from None
        profiles[profile.id] = profile
    return profiles
