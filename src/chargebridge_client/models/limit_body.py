from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="LimitBody")



@_attrs_define
class LimitBody:
    """ A grid-operator or aggregator limit for ``duration_s`` seconds (from ``starts_at``, default now).

        Attributes:
            duration_s (int):
            limit_a (float | None | Unset):
            limit_kw (float | None | Unset):
            source (str | Unset):  Default: 'operator'.
            starts_at (datetime.datetime | None | Unset):
     """

    duration_s: int
    limit_a: float | None | Unset = UNSET
    limit_kw: float | None | Unset = UNSET
    source: str | Unset = 'operator'
    starts_at: datetime.datetime | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        duration_s = self.duration_s

        limit_a: float | None | Unset
        if isinstance(self.limit_a, Unset):
            limit_a = UNSET
        else:
            limit_a = self.limit_a

        limit_kw: float | None | Unset
        if isinstance(self.limit_kw, Unset):
            limit_kw = UNSET
        else:
            limit_kw = self.limit_kw

        source = self.source

        starts_at: None | str | Unset
        if isinstance(self.starts_at, Unset):
            starts_at = UNSET
        elif isinstance(self.starts_at, datetime.datetime):
            starts_at = self.starts_at.isoformat()
        else:
            starts_at = self.starts_at


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "duration_s": duration_s,
        })
        if limit_a is not UNSET:
            field_dict["limit_a"] = limit_a
        if limit_kw is not UNSET:
            field_dict["limit_kw"] = limit_kw
        if source is not UNSET:
            field_dict["source"] = source
        if starts_at is not UNSET:
            field_dict["starts_at"] = starts_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        duration_s = d.pop("duration_s")

        def _parse_limit_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        limit_a = _parse_limit_a(d.pop("limit_a", UNSET))


        def _parse_limit_kw(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        limit_kw = _parse_limit_kw(d.pop("limit_kw", UNSET))


        source = d.pop("source", UNSET)

        def _parse_starts_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                starts_at_type_0 = datetime.datetime.fromisoformat(data)



                return starts_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        starts_at = _parse_starts_at(d.pop("starts_at", UNSET))


        limit_body = cls(
            duration_s=duration_s,
            limit_a=limit_a,
            limit_kw=limit_kw,
            source=source,
            starts_at=starts_at,
        )

        return limit_body

