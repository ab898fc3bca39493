from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.root_body_kind import RootBodyKind






T = TypeVar("T", bound="RootBody")



@_attrs_define
class RootBody:
    """ 
        Attributes:
            certificate (str): PEM of one self-signed CA certificate
            kind (RootBodyKind):
     """

    certificate: str
    kind: RootBodyKind





    def to_dict(self) -> dict[str, Any]:
        certificate = self.certificate

        kind = self.kind.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "certificate": certificate,
            "kind": kind,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certificate = d.pop("certificate")

        kind = RootBodyKind(d.pop("kind"))




        root_body = cls(
            certificate=certificate,
            kind=kind,
        )

        return root_body

