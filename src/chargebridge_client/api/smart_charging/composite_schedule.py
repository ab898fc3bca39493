from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.composite_schedule_response_composite_schedule import CompositeScheduleResponseCompositeSchedule
from ...models.composite_schedule_unit_type_0 import CompositeScheduleUnitType0
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    duration_s: int | Unset = 3600,
    evse_id: int | Unset = 0,
    unit: CompositeScheduleUnitType0 | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["duration_s"] = duration_s

    params["evse_id"] = evse_id

    json_unit: None | str | Unset
    if isinstance(unit, Unset):
        json_unit = UNSET
    elif isinstance(unit, CompositeScheduleUnitType0):
        json_unit = unit.value
    else:
        json_unit = unit
    params["unit"] = json_unit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations/{station_id}/composite-schedule".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CompositeScheduleResponseCompositeSchedule | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = CompositeScheduleResponseCompositeSchedule.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CompositeScheduleResponseCompositeSchedule | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    duration_s: int | Unset = 3600,
    evse_id: int | Unset = 0,
    unit: CompositeScheduleUnitType0 | None | Unset = UNSET,

) -> Response[CompositeScheduleResponseCompositeSchedule | HTTPValidationError]:
    """ Composite Schedule

     GetCompositeSchedule: what the station says it will allow. ``expected`` is what the CSMS
    computes from the profiles and external limits it knows of (None where nothing limits).

    Args:
        station_id (str):
        duration_s (int | Unset):  Default: 3600.
        evse_id (int | Unset):  Default: 0.
        unit (CompositeScheduleUnitType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CompositeScheduleResponseCompositeSchedule | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
duration_s=duration_s,
evse_id=evse_id,
unit=unit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    duration_s: int | Unset = 3600,
    evse_id: int | Unset = 0,
    unit: CompositeScheduleUnitType0 | None | Unset = UNSET,

) -> CompositeScheduleResponseCompositeSchedule | HTTPValidationError | None:
    """ Composite Schedule

     GetCompositeSchedule: what the station says it will allow. ``expected`` is what the CSMS
    computes from the profiles and external limits it knows of (None where nothing limits).

    Args:
        station_id (str):
        duration_s (int | Unset):  Default: 3600.
        evse_id (int | Unset):  Default: 0.
        unit (CompositeScheduleUnitType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CompositeScheduleResponseCompositeSchedule | HTTPValidationError
     """


    return sync_detailed(
        station_id=station_id,
client=client,
duration_s=duration_s,
evse_id=evse_id,
unit=unit,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    duration_s: int | Unset = 3600,
    evse_id: int | Unset = 0,
    unit: CompositeScheduleUnitType0 | None | Unset = UNSET,

) -> Response[CompositeScheduleResponseCompositeSchedule | HTTPValidationError]:
    """ Composite Schedule

     GetCompositeSchedule: what the station says it will allow. ``expected`` is what the CSMS
    computes from the profiles and external limits it knows of (None where nothing limits).

    Args:
        station_id (str):
        duration_s (int | Unset):  Default: 3600.
        evse_id (int | Unset):  Default: 0.
        unit (CompositeScheduleUnitType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CompositeScheduleResponseCompositeSchedule | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
duration_s=duration_s,
evse_id=evse_id,
unit=unit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    duration_s: int | Unset = 3600,
    evse_id: int | Unset = 0,
    unit: CompositeScheduleUnitType0 | None | Unset = UNSET,

) -> CompositeScheduleResponseCompositeSchedule | HTTPValidationError | None:
    """ Composite Schedule

     GetCompositeSchedule: what the station says it will allow. ``expected`` is what the CSMS
    computes from the profiles and external limits it knows of (None where nothing limits).

    Args:
        station_id (str):
        duration_s (int | Unset):  Default: 3600.
        evse_id (int | Unset):  Default: 0.
        unit (CompositeScheduleUnitType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CompositeScheduleResponseCompositeSchedule | HTTPValidationError
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
duration_s=duration_s,
evse_id=evse_id,
unit=unit,

    )).parsed
