from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.reservation_body_connector_type_type_0 import ReservationBodyConnectorTypeType0
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="ReservationBody")



@_attrs_define
class ReservationBody:
    """ 
        Attributes:
            expiry_date_time (datetime.datetime):
            id_token (str):
            connector_id (int | None | Unset): without evse_id: the 1.6 connector N = EVSE N
            connector_type (None | ReservationBodyConnectorTypeType0 | Unset): 2.0.1 only
            evse_id (int | None | Unset): 1.6 connectorId; none or 0: any
            group_id_token (None | str | Unset):
            id_token_type (None | str | Unset):
     """

    expiry_date_time: datetime.datetime
    id_token: str
    connector_id: int | None | Unset = UNSET
    connector_type: None | ReservationBodyConnectorTypeType0 | Unset = UNSET
    evse_id: int | None | Unset = UNSET
    group_id_token: None | str | Unset = UNSET
    id_token_type: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        expiry_date_time = self.expiry_date_time.isoformat()

        id_token = self.id_token

        connector_id: int | None | Unset
        if isinstance(self.connector_id, Unset):
            connector_id = UNSET
        else:
            connector_id = self.connector_id

        connector_type: None | str | Unset
        if isinstance(self.connector_type, Unset):
            connector_type = UNSET
        elif isinstance(self.connector_type, ReservationBodyConnectorTypeType0):
            connector_type = self.connector_type.value
        else:
            connector_type = self.connector_type

        evse_id: int | None | Unset
        if isinstance(self.evse_id, Unset):
            evse_id = UNSET
        else:
            evse_id = self.evse_id

        group_id_token: None | str | Unset
        if isinstance(self.group_id_token, Unset):
            group_id_token = UNSET
        else:
            group_id_token = self.group_id_token

        id_token_type: None | str | Unset
        if isinstance(self.id_token_type, Unset):
            id_token_type = UNSET
        else:
            id_token_type = self.id_token_type


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "expiry_date_time": expiry_date_time,
            "id_token": id_token,
        })
        if connector_id is not UNSET:
            field_dict["connector_id"] = connector_id
        if connector_type is not UNSET:
            field_dict["connector_type"] = connector_type
        if evse_id is not UNSET:
            field_dict["evse_id"] = evse_id
        if group_id_token is not UNSET:
            field_dict["group_id_token"] = group_id_token
        if id_token_type is not UNSET:
            field_dict["id_token_type"] = id_token_type

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expiry_date_time = datetime.datetime.fromisoformat(d.pop("expiry_date_time"))




        id_token = d.pop("id_token")

        def _parse_connector_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        connector_id = _parse_connector_id(d.pop("connector_id", UNSET))


        def _parse_connector_type(data: object) -> None | ReservationBodyConnectorTypeType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                connector_type_type_0 = ReservationBodyConnectorTypeType0(data)



                return connector_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReservationBodyConnectorTypeType0 | Unset, data)

        connector_type = _parse_connector_type(d.pop("connector_type", UNSET))


        def _parse_evse_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        evse_id = _parse_evse_id(d.pop("evse_id", UNSET))


        def _parse_group_id_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group_id_token = _parse_group_id_token(d.pop("group_id_token", UNSET))


        def _parse_id_token_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id_token_type = _parse_id_token_type(d.pop("id_token_type", UNSET))


        reservation_body = cls(
            expiry_date_time=expiry_date_time,
            id_token=id_token,
            connector_id=connector_id,
            connector_type=connector_type,
            evse_id=evse_id,
            group_id_token=group_id_token,
            id_token_type=id_token_type,
        )

        return reservation_body

