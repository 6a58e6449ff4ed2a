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
from loaders.normalise import ColumnRoles, is_period_header, ssb_table_value_column

ROLES = ("unit", "period", "year", "subperiod", "value", "numerator", "denominator")


class ProfileError(Exception):
    pass


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    description: str = ""
    indicator: str | None = None  # the indicator every row measures, unless indicator_column
    # a column whose values pick the indicator (e.g. alder); a list names the same column as
    # exports in other languages write it (["alder", "age"]): the first one in the file is used
    indicator_column: str | list[str] | None = None
    indicators: dict[str, str] = {}
    # role → column name, or a list of names for the same column in other languages or older
    # exports (period: [år, year, tid]); no period column in the file: one column per period
    columns: dict[str, str | list[str]] = {}
    # single-year ages in the indicator column are summed into these bands (label → [from, to];
    # to null = "or older"); each label must also be a key of `indicators`
    age_bands: dict[str, tuple[int, int | None]] = {}
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None

    @field_validator("columns")
    @classmethod
    def _known_roles(cls, columns: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        unknown = sorted(set(columns) - set(ROLES))
        if unknown:
            raise ValueError(f"ukjente roller {unknown}; bruk {', '.join(ROLES)}")
        return columns

    def column_for(self, names: str | list[str] | None, columns: list[str]) -> str | None:
        """The first of the profile's names for a column that the file has (case-insensitive)."""
        if names is None:
            return None
        wanted = [names] if isinstance(names, str) else names
        by_lower = {c.lower(): c for c in columns}
        return next((by_lower[n.lower()] for n in wanted if n.lower() in by_lower), None)

    def indicator_column_in(self, columns: list[str]) -> str | None:
        return self.column_for(self.indicator_column, columns)

    def indicator_ids(self) -> list[str]:
        return sorted(set(self.indicators.values())) if self.indicator_column else [self.indicator or ""]

    def roles(self, columns: list[str]) -> ColumnRoles:
        """The profile's roles for this file's columns; ProfileError if one is missing.

        A period role the file lacks is no error when the file has one column per period
        (wide, e.g. «Persons 2021»); its value role is then the period columns.
        """
        wide = [c for c in columns if is_period_header(c)]
        found: dict[str, str] = {}
        for role, names in self.columns.items():
            column = self.column_for(names, columns)
            if column is None and role == "value":
                column = ssb_table_value_column(columns)  # «07459: Befolkning, etter …»
            if column is None and wide and role in ("period", "year", "value"):
                continue
            if column is None:
                first = names if isinstance(names, str) else names[0]
                raise ProfileError(f"forventer kolonnen «{first}», som filen ikke har")
            found[role] = column
        indicator = self.indicator_column_in(columns)
        if self.indicator_column and indicator is None:
            first = (
                self.indicator_column if isinstance(self.indicator_column, str) else self.indicator_column[0]
            )
            raise ProfileError(f"forventer kolonnen «{first}», som filen ikke har")
        roles = ColumnRoles(**found, indicator=indicator)
        if not (roles.period or roles.year or roles.subperiod):
            roles.wide = wide
            roles.value = None
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
