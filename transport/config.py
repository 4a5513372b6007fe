"""The base of every configuration model: frozen, unknown keys refused, numbers never yes/no.

pydantic would otherwise read `school_days = true` as 1 day; a scenario file that gives
true/false where a number is meant is a mistake to report, not to guess at.
"""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _is_number(annotation: object) -> bool:
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(a in (int, float) for a in args)
    return False


class StrictModel(BaseModel):
    """A configuration table: frozen, `extra="forbid"`, and true/false refused where a number is meant."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_true_or_false(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _is_number(field.annotation):
            raise ValueError("a number is needed here, not true or false")
        return value
