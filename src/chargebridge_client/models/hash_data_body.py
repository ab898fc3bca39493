from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.hash_data_body_hash_algorithm import HashDataBodyHashAlgorithm
from ..types import UNSET, Unset






T = TypeVar("T", bound="HashDataBody")



@_attrs_define
class HashDataBody:
    """ 
        Attributes:
            issuer_key_hash (str):
            issuer_name_hash (str):
            serial_number (str):
            hash_algorithm (HashDataBodyHashAlgorithm | Unset):  Default: HashDataBodyHashAlgorithm.SHA256.
     """

    issuer_key_hash: str
    issuer_name_hash: str
    serial_number: str
    hash_algorithm: HashDataBodyHashAlgorithm | Unset = HashDataBodyHashAlgorithm.SHA256





    def to_dict(self) -> dict[str, Any]:
        issuer_key_hash = self.issuer_key_hash

        issuer_name_hash = self.issuer_name_hash

        serial_number = self.serial_number

        hash_algorithm: str | Unset = UNSET
        if not isinstance(self.hash_algorithm, Unset):
            hash_algorithm = self.hash_algorithm.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "issuer_key_hash": issuer_key_hash,
            "issuer_name_hash": issuer_name_hash,
            "serial_number": serial_number,
        })
        if hash_algorithm is not UNSET:
            field_dict["hash_algorithm"] = hash_algorithm

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        issuer_key_hash = d.pop("issuer_key_hash")

        issuer_name_hash = d.pop("issuer_name_hash")

        serial_number = d.pop("serial_number")

        _hash_algorithm = d.pop("hash_algorithm", UNSET)
        hash_algorithm: HashDataBodyHashAlgorithm | Unset
        if isinstance(_hash_algorithm,  Unset):
            hash_algorithm = UNSET
        else:
            hash_algorithm = HashDataBodyHashAlgorithm(_hash_algorithm)




        hash_data_body = cls(
            issuer_key_hash=issuer_key_hash,
            issuer_name_hash=issuer_name_hash,
            serial_number=serial_number,
            hash_algorithm=hash_algorithm,
        )

        return hash_data_body

