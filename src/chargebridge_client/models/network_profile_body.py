from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.network_profile_body_ocpp_interface import NetworkProfileBodyOcppInterface
from ..models.network_profile_body_ocpp_transport import NetworkProfileBodyOcppTransport
from ..models.network_profile_body_ocpp_version import NetworkProfileBodyOcppVersion
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.apn_body import ApnBody
  from ..models.vpn_body import VpnBody





T = TypeVar("T", bound="NetworkProfileBody")



@_attrs_define
class NetworkProfileBody:
    """ 
        Attributes:
            configuration_slot (int):
            csms_url (str):
            ocpp_interface (NetworkProfileBodyOcppInterface):
            security_profile (int):
            apn (ApnBody | None | Unset):
            message_timeout_s (int | Unset):  Default: 30.
            ocpp_transport (NetworkProfileBodyOcppTransport | Unset):  Default: NetworkProfileBodyOcppTransport.JSON.
            ocpp_version (NetworkProfileBodyOcppVersion | Unset):  Default: NetworkProfileBodyOcppVersion.OCPP20.
            vpn (None | Unset | VpnBody):
     """

    configuration_slot: int
    csms_url: str
    ocpp_interface: NetworkProfileBodyOcppInterface
    security_profile: int
    apn: ApnBody | None | Unset = UNSET
    message_timeout_s: int | Unset = 30
    ocpp_transport: NetworkProfileBodyOcppTransport | Unset = NetworkProfileBodyOcppTransport.JSON
    ocpp_version: NetworkProfileBodyOcppVersion | Unset = NetworkProfileBodyOcppVersion.OCPP20
    vpn: None | Unset | VpnBody = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.apn_body import ApnBody # noqa: PLC0415
        from ..models.vpn_body import VpnBody # noqa: PLC0415
        configuration_slot = self.configuration_slot

        csms_url = self.csms_url

        ocpp_interface = self.ocpp_interface.value

        security_profile = self.security_profile

        apn: dict[str, Any] | None | Unset
        if isinstance(self.apn, Unset):
            apn = UNSET
        elif isinstance(self.apn, ApnBody):
            apn = self.apn.to_dict()
        else:
            apn = self.apn

        message_timeout_s = self.message_timeout_s

        ocpp_transport: str | Unset = UNSET
        if not isinstance(self.ocpp_transport, Unset):
            ocpp_transport = self.ocpp_transport.value


        ocpp_version: str | Unset = UNSET
        if not isinstance(self.ocpp_version, Unset):
            ocpp_version = self.ocpp_version.value


        vpn: dict[str, Any] | None | Unset
        if isinstance(self.vpn, Unset):
            vpn = UNSET
        elif isinstance(self.vpn, VpnBody):
            vpn = self.vpn.to_dict()
        else:
            vpn = self.vpn


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "configuration_slot": configuration_slot,
            "csms_url": csms_url,
            "ocpp_interface": ocpp_interface,
            "security_profile": security_profile,
        })
        if apn is not UNSET:
            field_dict["apn"] = apn
        if message_timeout_s is not UNSET:
            field_dict["message_timeout_s"] = message_timeout_s
        if ocpp_transport is not UNSET:
            field_dict["ocpp_transport"] = ocpp_transport
        if ocpp_version is not UNSET:
            field_dict["ocpp_version"] = ocpp_version
        if vpn is not UNSET:
            field_dict["vpn"] = vpn

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.apn_body import ApnBody # noqa: PLC0415
        from ..models.vpn_body import VpnBody # noqa: PLC0415
        d = dict(src_dict)
        configuration_slot = d.pop("configuration_slot")

        csms_url = d.pop("csms_url")

        ocpp_interface = NetworkProfileBodyOcppInterface(d.pop("ocpp_interface"))




        security_profile = d.pop("security_profile")

        def _parse_apn(data: object) -> ApnBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                apn_type_0 = ApnBody.from_dict(data)



                return apn_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApnBody | None | Unset, data)

        apn = _parse_apn(d.pop("apn", UNSET))


        message_timeout_s = d.pop("message_timeout_s", UNSET)

        _ocpp_transport = d.pop("ocpp_transport", UNSET)
        ocpp_transport: NetworkProfileBodyOcppTransport | Unset
        if isinstance(_ocpp_transport,  Unset):
            ocpp_transport = UNSET
        else:
            ocpp_transport = NetworkProfileBodyOcppTransport(_ocpp_transport)




        _ocpp_version = d.pop("ocpp_version", UNSET)
        ocpp_version: NetworkProfileBodyOcppVersion | Unset
        if isinstance(_ocpp_version,  Unset):
            ocpp_version = UNSET
        else:
            ocpp_version = NetworkProfileBodyOcppVersion(_ocpp_version)




        def _parse_vpn(data: object) -> None | Unset | VpnBody:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                vpn_type_0 = VpnBody.from_dict(data)



                return vpn_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VpnBody, data)

        vpn = _parse_vpn(d.pop("vpn", UNSET))


        network_profile_body = cls(
            configuration_slot=configuration_slot,
            csms_url=csms_url,
            ocpp_interface=ocpp_interface,
            security_profile=security_profile,
            apn=apn,
            message_timeout_s=message_timeout_s,
            ocpp_transport=ocpp_transport,
            ocpp_version=ocpp_version,
            vpn=vpn,
        )

        return network_profile_body

