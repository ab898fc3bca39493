from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.station_events_response_station_events import StationEventsResponseStationEvents
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    kind: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    else:
        json_kind = kind
    params["kind"] = json_kind


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations/{station_id}/events".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | StationEventsResponseStationEvents | None:
    if response.status_code == 200:
        response_200 = StationEventsResponseStationEvents.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | StationEventsResponseStationEvents]:
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
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    kind: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | StationEventsResponseStationEvents]:
    """ Station Events

    Args:
        station_id (str):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        kind (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | StationEventsResponseStationEvents]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
limit=limit,
offset=offset,
kind=kind,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    kind: None | str | Unset = UNSET,

) -> HTTPValidationError | StationEventsResponseStationEvents | None:
    """ Station Events

    Args:
        station_id (str):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        kind (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | StationEventsResponseStationEvents
     """


    return sync_detailed(
        station_id=station_id,
client=client,
limit=limit,
offset=offset,
kind=kind,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    kind: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | StationEventsResponseStationEvents]:
    """ Station Events

    Args:
        station_id (str):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        kind (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | StationEventsResponseStationEvents]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
limit=limit,
offset=offset,
kind=kind,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    kind: None | str | Unset = UNSET,

) -> HTTPValidationError | StationEventsResponseStationEvents | None:
    """ Station Events

    Args:
        station_id (str):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        kind (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | StationEventsResponseStationEvents
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
limit=limit,
offset=offset,
kind=kind,

    )).parsed
