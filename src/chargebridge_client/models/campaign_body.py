from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.gates_body import GatesBody
  from ..models.target_body import TargetBody
  from ..models.window_body import WindowBody





T = TypeVar("T", bound="CampaignBody")



@_attrs_define
class CampaignBody:
    """ 
        Attributes:
            image_id (str):
            name (str):
            auto_rollback (bool | Unset):  Default: True.
            gates (GatesBody | Unset):
            override (bool | Unset):  Default: False.
            override_reason (None | str | Unset):
            signed (bool | Unset):  Default: True.
            start (bool | Unset):  Default: False.
            target (TargetBody | Unset):
            waves (list[float] | Unset):
            window (None | Unset | WindowBody):
     """

    image_id: str
    name: str
    auto_rollback: bool | Unset = True
    gates: GatesBody | Unset = UNSET
    override: bool | Unset = False
    override_reason: None | str | Unset = UNSET
    signed: bool | Unset = True
    start: bool | Unset = False
    target: TargetBody | Unset = UNSET
    waves: list[float] | Unset = UNSET
    window: None | Unset | WindowBody = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.gates_body import GatesBody # noqa: PLC0415
        from ..models.target_body import TargetBody # noqa: PLC0415
        from ..models.window_body import WindowBody # noqa: PLC0415
        image_id = self.image_id

        name = self.name

        auto_rollback = self.auto_rollback

        gates: dict[str, Any] | Unset = UNSET
        if not isinstance(self.gates, Unset):
            gates = self.gates.to_dict()

        override = self.override

        override_reason: None | str | Unset
        if isinstance(self.override_reason, Unset):
            override_reason = UNSET
        else:
            override_reason = self.override_reason

        signed = self.signed

        start = self.start

        target: dict[str, Any] | Unset = UNSET
        if not isinstance(self.target, Unset):
            target = self.target.to_dict()

        waves: list[float] | Unset = UNSET
        if not isinstance(self.waves, Unset):
            waves = self.waves



        window: dict[str, Any] | None | Unset
        if isinstance(self.window, Unset):
            window = UNSET
        elif isinstance(self.window, WindowBody):
            window = self.window.to_dict()
        else:
            window = self.window


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "image_id": image_id,
            "name": name,
        })
        if auto_rollback is not UNSET:
            field_dict["auto_rollback"] = auto_rollback
        if gates is not UNSET:
            field_dict["gates"] = gates
        if override is not UNSET:
            field_dict["override"] = override
        if override_reason is not UNSET:
            field_dict["override_reason"] = override_reason
        if signed is not UNSET:
            field_dict["signed"] = signed
        if start is not UNSET:
            field_dict["start"] = start
        if target is not UNSET:
            field_dict["target"] = target
        if waves is not UNSET:
            field_dict["waves"] = waves
        if window is not UNSET:
            field_dict["window"] = window

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gates_body import GatesBody # noqa: PLC0415
        from ..models.target_body import TargetBody # noqa: PLC0415
        from ..models.window_body import WindowBody # noqa: PLC0415
        d = dict(src_dict)
        image_id = d.pop("image_id")

        name = d.pop("name")

        auto_rollback = d.pop("auto_rollback", UNSET)

        _gates = d.pop("gates", UNSET)
        gates: GatesBody | Unset
        if isinstance(_gates,  Unset):
            gates = UNSET
        else:
            gates = GatesBody.from_dict(_gates)




        override = d.pop("override", UNSET)

        def _parse_override_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        override_reason = _parse_override_reason(d.pop("override_reason", UNSET))


        signed = d.pop("signed", UNSET)

        start = d.pop("start", UNSET)

        _target = d.pop("target", UNSET)
        target: TargetBody | Unset
        if isinstance(_target,  Unset):
            target = UNSET
        else:
            target = TargetBody.from_dict(_target)




        waves = cast(list[float], d.pop("waves", UNSET))


        def _parse_window(data: object) -> None | Unset | WindowBody:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                window_type_0 = WindowBody.from_dict(data)



                return window_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WindowBody, data)

        window = _parse_window(d.pop("window", UNSET))


        campaign_body = cls(
            image_id=image_id,
            name=name,
            auto_rollback=auto_rollback,
            gates=gates,
            override=override,
            override_reason=override_reason,
            signed=signed,
            start=start,
            target=target,
            waves=waves,
            window=window,
        )

        return campaign_body

