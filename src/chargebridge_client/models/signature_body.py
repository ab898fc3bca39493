from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="SignatureBody")



@_attrs_define
class SignatureBody:
    """ 
        Attributes:
            signature (str):
            signing_certificate (str):
     """

    signature: str
    signing_certificate: str





    def to_dict(self) -> dict[str, Any]:
        signature = self.signature

        signing_certificate = self.signing_certificate


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "signature": signature,
            "signing_certificate": signing_certificate,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        signature = d.pop("signature")

        signing_certificate = d.pop("signing_certificate")

        signature_body = cls(
            signature=signature,
            signing_certificate=signing_certificate,
        )

        return signature_body

