"""Mapping profiles (loaders/profiles/*.yaml): how a recurring source names its columns.

A profile names the indicator (or a column that picks it), the columns for each role and, if
the source always exports the same way, the encoding, delimiter, header line or sheet. The
same export then loads with one choice next time; without a profile the reader guesses.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from analytics import config
from loaders.normalise import ColumnRoles, is_period_header

ROLES = ("unit", "period", "year", "subperiod", "value", "numerator", "denominator")


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
    columns: dict[str, str] = {}  # role → column name; no period role: one column per period
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None

    @field_validator("columns")
    @classmethod
    def _known_roles(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns) - set(ROLES))
        if unknown:
            raise ValueError(f"ukjente roller {unknown}; bruk {', '.join(ROLES)}")
        return columns

    def indicator_ids(self) -> list[str]:
        return sorted(set(self.indicators.values())) if self.indicator_column else [self.indicator or ""]

    def roles(self, columns: list[str]) -> ColumnRoles:
        """The profile's roles for this file's columns; ProfileError if one is missing."""
        wanted = [*self.columns.values(), *([self.indicator_column] if self.indicator_column else [])]
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise ProfileError(f"forventer kolonnen «{missing[0]}», som filen ikke har")
        roles = ColumnRoles(**self.columns, indicator=self.indicator_column)
        if not (roles.period or roles.year or roles.subperiod):
            roles.wide = [c for c in columns if is_period_header(c)]
        return roles


def load_profiles(directory: Path | None = None) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for path in sorted((directory or config.PROFILE_DIR).glob("*.yaml")):
        try:
            profile = Profile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ProfileError(f"Profilfilen «{path.name}» er ugyldig: {exc}") from None
        profiles[profile.id] = profile
    return profiles
