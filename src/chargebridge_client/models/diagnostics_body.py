from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.diagnostics_body_log_type import DiagnosticsBodyLogType
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="DiagnosticsBody")



@_attrs_define
class DiagnosticsBody:
    """ 
        Attributes:
            log_type (DiagnosticsBodyLogType | Unset):  Default: DiagnosticsBodyLogType.DIAGNOSTICSLOG.
            since (datetime.datetime | None | Unset):
            until (datetime.datetime | None | Unset):
            use_get_log_16 (bool | Unset):  Default: False.
     """

    log_type: DiagnosticsBodyLogType | Unset = DiagnosticsBodyLogType.DIAGNOSTICSLOG
    since: datetime.datetime | None | Unset = UNSET
    until: datetime.datetime | None | Unset = UNSET
    use_get_log_16: bool | Unset = False





    def to_dict(self) -> dict[str, Any]:
        log_type: str | Unset = UNSET
        if not isinstance(self.log_type, Unset):
            log_type = self.log_type.value


        since: None | str | Unset
        if isinstance(self.since, Unset):
            since = UNSET
        elif isinstance(self.since, datetime.datetime):
            since = self.since.isoformat()
        else:
            since = self.since

        until: None | str | Unset
        if isinstance(self.until, Unset):
            until = UNSET
        elif isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until

        use_get_log_16 = self.use_get_log_16


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if log_type is not UNSET:
            field_dict["log_type"] = log_type
        if since is not UNSET:
            field_dict["since"] = since
        if until is not UNSET:
            field_dict["until"] = until
        if use_get_log_16 is not UNSET:
            field_dict["use_get_log_16"] = use_get_log_16

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _log_type = d.pop("log_type", UNSET)
        log_type: DiagnosticsBodyLogType | Unset
        if isinstance(_log_type,  Unset):
            log_type = UNSET
        else:
            log_type = DiagnosticsBodyLogType(_log_type)




        def _parse_since(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                since_type_0 = datetime.datetime.fromisoformat(data)



                return since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        since = _parse_since(d.pop("since", UNSET))


        def _parse_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                until_type_0 = datetime.datetime.fromisoformat(data)



                return until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        until = _parse_until(d.pop("until", UNSET))


        use_get_log_16 = d.pop("use_get_log_16", UNSET)

        diagnostics_body = cls(
            log_type=log_type,
            since=since,
            until=until,
            use_get_log_16=use_get_log_16,
        )

        return diagnostics_body

