from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.display_message_body_format import DisplayMessageBodyFormat
from ..models.display_message_body_priority import DisplayMessageBodyPriority
from ..models.display_message_body_state_type_0 import DisplayMessageBodyStateType0
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.display_component_body import DisplayComponentBody





T = TypeVar("T", bound="DisplayMessageBody")



@_attrs_define
class DisplayMessageBody:
    """ 
        Attributes:
            content (str):
            display (DisplayComponentBody | None | Unset):
            end_at (datetime.datetime | None | Unset):
            format_ (DisplayMessageBodyFormat | Unset):  Default: DisplayMessageBodyFormat.UTF8.
            id (int | None | Unset): absent: one above the highest stored id
            language (None | str | Unset):
            priority (DisplayMessageBodyPriority | Unset):  Default: DisplayMessageBodyPriority.NORMALCYCLE.
            start_at (datetime.datetime | None | Unset):
            state (DisplayMessageBodyStateType0 | None | Unset):
            transaction_id (None | str | Unset):
     """

    content: str
    display: DisplayComponentBody | None | Unset = UNSET
    end_at: datetime.datetime | None | Unset = UNSET
    format_: DisplayMessageBodyFormat | Unset = DisplayMessageBodyFormat.UTF8
    id: int | None | Unset = UNSET
    language: None | str | Unset = UNSET
    priority: DisplayMessageBodyPriority | Unset = DisplayMessageBodyPriority.NORMALCYCLE
    start_at: datetime.datetime | None | Unset = UNSET
    state: DisplayMessageBodyStateType0 | None | Unset = UNSET
    transaction_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.display_component_body import DisplayComponentBody # noqa: PLC0415
        content = self.content

        display: dict[str, Any] | None | Unset
        if isinstance(self.display, Unset):
            display = UNSET
        elif isinstance(self.display, DisplayComponentBody):
            display = self.display.to_dict()
        else:
            display = self.display

        end_at: None | str | Unset
        if isinstance(self.end_at, Unset):
            end_at = UNSET
        elif isinstance(self.end_at, datetime.datetime):
            end_at = self.end_at.isoformat()
        else:
            end_at = self.end_at

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value


        id: int | None | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        language: None | str | Unset
        if isinstance(self.language, Unset):
            language = UNSET
        else:
            language = self.language

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority.value


        start_at: None | str | Unset
        if isinstance(self.start_at, Unset):
            start_at = UNSET
        elif isinstance(self.start_at, datetime.datetime):
            start_at = self.start_at.isoformat()
        else:
            start_at = self.start_at

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        elif isinstance(self.state, DisplayMessageBodyStateType0):
            state = self.state.value
        else:
            state = self.state

        transaction_id: None | str | Unset
        if isinstance(self.transaction_id, Unset):
            transaction_id = UNSET
        else:
            transaction_id = self.transaction_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "content": content,
        })
        if display is not UNSET:
            field_dict["display"] = display
        if end_at is not UNSET:
            field_dict["end_at"] = end_at
        if format_ is not UNSET:
            field_dict["format"] = format_
        if id is not UNSET:
            field_dict["id"] = id
        if language is not UNSET:
            field_dict["language"] = language
        if priority is not UNSET:
            field_dict["priority"] = priority
        if start_at is not UNSET:
            field_dict["start_at"] = start_at
        if state is not UNSET:
            field_dict["state"] = state
        if transaction_id is not UNSET:
            field_dict["transaction_id"] = transaction_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.display_component_body import DisplayComponentBody # noqa: PLC0415
        d = dict(src_dict)
        content = d.pop("content")

        def _parse_display(data: object) -> DisplayComponentBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                display_type_0 = DisplayComponentBody.from_dict(data)



                return display_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisplayComponentBody | None | Unset, data)

        display = _parse_display(d.pop("display", UNSET))


        def _parse_end_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_at_type_0 = datetime.datetime.fromisoformat(data)



                return end_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        end_at = _parse_end_at(d.pop("end_at", UNSET))


        _format_ = d.pop("format", UNSET)
        format_: DisplayMessageBodyFormat | Unset
        if isinstance(_format_,  Unset):
            format_ = UNSET
        else:
            format_ = DisplayMessageBodyFormat(_format_)




        def _parse_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        id = _parse_id(d.pop("id", UNSET))


        def _parse_language(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        language = _parse_language(d.pop("language", UNSET))


        _priority = d.pop("priority", UNSET)
        priority: DisplayMessageBodyPriority | Unset
        if isinstance(_priority,  Unset):
            priority = UNSET
        else:
            priority = DisplayMessageBodyPriority(_priority)




        def _parse_start_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_at_type_0 = datetime.datetime.fromisoformat(data)



                return start_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start_at = _parse_start_at(d.pop("start_at", UNSET))


        def _parse_state(data: object) -> DisplayMessageBodyStateType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                state_type_0 = DisplayMessageBodyStateType0(data)



                return state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisplayMessageBodyStateType0 | None | Unset, data)

        state = _parse_state(d.pop("state", UNSET))


        def _parse_transaction_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transaction_id = _parse_transaction_id(d.pop("transaction_id", UNSET))


        display_message_body = cls(
            content=content,
            display=display,
            end_at=end_at,
            format_=format_,
            id=id,
            language=language,
            priority=priority,
            start_at=start_at,
            state=state,
            transaction_id=transaction_id,
        )

        return display_message_body

