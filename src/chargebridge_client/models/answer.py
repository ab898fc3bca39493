from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.answer_status import AnswerStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.answer_result_type_0 import AnswerResultType0





T = TypeVar("T", bound="Answer")



@_attrs_define
class Answer:
    """ 
        Attributes:
            status (AnswerStatus):
            error (None | str | Unset):
            result (AnswerResultType0 | None | Unset):
     """

    status: AnswerStatus
    error: None | str | Unset = UNSET
    result: AnswerResultType0 | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.answer_result_type_0 import AnswerResultType0 # noqa: PLC0415
        status = self.status.value

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, AnswerResultType0):
            result = self.result.to_dict()
        else:
            result = self.result


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "status": status,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.answer_result_type_0 import AnswerResultType0 # noqa: PLC0415
        d = dict(src_dict)
        status = AnswerStatus(d.pop("status"))




        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_result(data: object) -> AnswerResultType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = AnswerResultType0.from_dict(data)



                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnswerResultType0 | None | Unset, data)

        result = _parse_result(d.pop("result", UNSET))


        answer = cls(
            status=status,
            error=error,
            result=result,
        )

        return answer

