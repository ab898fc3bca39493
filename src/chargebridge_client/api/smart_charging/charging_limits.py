from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.charging_limits_response_charging_limits import ChargingLimitsResponseChargingLimits
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    active: bool | Unset = True,
    limit: int | Unset = 100,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["active"] = active

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations/{station_id}/charging-limits".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChargingLimitsResponseChargingLimits | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = ChargingLimitsResponseChargingLimits.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ChargingLimitsResponseChargingLimits | HTTPValidationError]:
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
    active: bool | Unset = True,
    limit: int | Unset = 100,

) -> Response[ChargingLimitsResponseChargingLimits | HTTPValidationError]:
    """ Charging Limits

     External limits the station reported (NotifyChargingLimit); ``active=false``: with released ones.

    Args:
        station_id (str):
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChargingLimitsResponseChargingLimits | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
active=active,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 100,

) -> ChargingLimitsResponseChargingLimits | HTTPValidationError | None:
    """ Charging Limits

     External limits the station reported (NotifyChargingLimit); ``active=false``: with released ones.

    Args:
        station_id (str):
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChargingLimitsResponseChargingLimits | HTTPValidationError
     """


    return sync_detailed(
        station_id=station_id,
client=client,
active=active,
limit=limit,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 100,

) -> Response[ChargingLimitsResponseChargingLimits | HTTPValidationError]:
    """ Charging Limits

     External limits the station reported (NotifyChargingLimit); ``active=false``: with released ones.

    Args:
        station_id (str):
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChargingLimitsResponseChargingLimits | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
active=active,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 100,

) -> ChargingLimitsResponseChargingLimits | HTTPValidationError | None:
    """ Charging Limits

     External limits the station reported (NotifyChargingLimit); ``active=false``: with released ones.

    Args:
        station_id (str):
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChargingLimitsResponseChargingLimits | HTTPValidationError
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
active=active,
limit=limit,

    )).parsed
