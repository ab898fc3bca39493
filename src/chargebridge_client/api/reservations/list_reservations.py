from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_reservations_response_list_reservations import ListReservationsResponseListReservations
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    station_id: None | str | Unset = UNSET,
    state: list[str] | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_station_id: None | str | Unset
    if isinstance(station_id, Unset):
        json_station_id = UNSET
    else:
        json_station_id = station_id
    params["station_id"] = json_station_id

    json_state: list[str] | None | Unset
    if isinstance(state, Unset):
        json_state = UNSET
    elif isinstance(state, list):
        json_state = state


    else:
        json_state = state
    params["state"] = json_state

    json_active: bool | None | Unset
    if isinstance(active, Unset):
        json_active = UNSET
    else:
        json_active = active
    params["active"] = json_active

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/reservations",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListReservationsResponseListReservations | None:
    if response.status_code == 200:
        response_200 = ListReservationsResponseListReservations.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListReservationsResponseListReservations]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    state: list[str] | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListReservationsResponseListReservations]:
    """ List Reservations

    Args:
        station_id (None | str | Unset):
        state (list[str] | None | Unset):
        active (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListReservationsResponseListReservations]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
state=state,
active=active,
limit=limit,
offset=offset,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    state: list[str] | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListReservationsResponseListReservations | None:
    """ List Reservations

    Args:
        station_id (None | str | Unset):
        state (list[str] | None | Unset):
        active (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListReservationsResponseListReservations
     """


    return sync_detailed(
        client=client,
station_id=station_id,
state=state,
active=active,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    state: list[str] | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListReservationsResponseListReservations]:
    """ List Reservations

    Args:
        station_id (None | str | Unset):
        state (list[str] | None | Unset):
        active (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListReservationsResponseListReservations]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
state=state,
active=active,
limit=limit,
offset=offset,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    state: list[str] | None | Unset = UNSET,
    active: bool | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListReservationsResponseListReservations | None:
    """ List Reservations

    Args:
        station_id (None | str | Unset):
        state (list[str] | None | Unset):
        active (bool | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListReservationsResponseListReservations
     """


    return (await asyncio_detailed(
        client=client,
station_id=station_id,
state=state,
active=active,
limit=limit,
offset=offset,

    )).parsed
