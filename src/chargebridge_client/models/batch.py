from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.wire_record import WireRecord
  from ..models.wire_status import WireStatus





T = TypeVar("T", bound="Batch")



@_attrs_define
class Batch:
    """ 
        Attributes:
            edge_id (str):
            outbox_id (str):
            records (list[WireRecord] | Unset):
            sent_at (datetime.datetime | None | Unset):
            status (None | Unset | WireStatus):
     """

    edge_id: str
    outbox_id: str
    records: list[WireRecord] | Unset = UNSET
    sent_at: datetime.datetime | None | Unset = UNSET
    status: None | Unset | WireStatus = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.wire_record import WireRecord # noqa: PLC0415
        from ..models.wire_status import WireStatus # noqa: PLC0415
        edge_id = self.edge_id

        outbox_id = self.outbox_id

        records: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.records, Unset):
            records = []
            for records_item_data in self.records:
                records_item = records_item_data.to_dict()
                records.append(records_item)



        sent_at: None | str | Unset
        if isinstance(self.sent_at, Unset):
            sent_at = UNSET
        elif isinstance(self.sent_at, datetime.datetime):
            sent_at = self.sent_at.isoformat()
        else:
            sent_at = self.sent_at

        status: dict[str, Any] | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, WireStatus):
            status = self.status.to_dict()
        else:
            status = self.status


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "edge_id": edge_id,
            "outbox_id": outbox_id,
        })
        if records is not UNSET:
            field_dict["records"] = records
        if sent_at is not UNSET:
            field_dict["sent_at"] = sent_at
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.wire_record import WireRecord # noqa: PLC0415
        from ..models.wire_status import WireStatus # noqa: PLC0415
        d = dict(src_dict)
        edge_id = d.pop("edge_id")

        outbox_id = d.pop("outbox_id")

        _records = d.pop("records", UNSET)
        records: list[WireRecord] | Unset = UNSET
        if _records is not UNSET:
            records = []
            for records_item_data in _records:
                records_item = WireRecord.from_dict(records_item_data)



                records.append(records_item)


        def _parse_sent_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sent_at_type_0 = datetime.datetime.fromisoformat(data)



                return sent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        sent_at = _parse_sent_at(d.pop("sent_at", UNSET))


        def _parse_status(data: object) -> None | Unset | WireStatus:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                status_type_0 = WireStatus.from_dict(data)



                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WireStatus, data)

        status = _parse_status(d.pop("status", UNSET))


        batch = cls(
            edge_id=edge_id,
            outbox_id=outbox_id,
            records=records,
            sent_at=sent_at,
            status=status,
        )

        return batch

