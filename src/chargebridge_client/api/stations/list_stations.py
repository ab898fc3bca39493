from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_stations_response_list_stations import ListStationsResponseListStations
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    connected: bool | None | Unset = UNSET,
    q: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_connected: bool | None | Unset
    if isinstance(connected, Unset):
        json_connected = UNSET
    else:
        json_connected = connected
    params["connected"] = json_connected

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListStationsResponseListStations | None:
    if response.status_code == 200:
        response_200 = ListStationsResponseListStations.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListStationsResponseListStations]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    connected: bool | None | Unset = UNSET,
    q: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | ListStationsResponseListStations]:
    """ List Stations

    Args:
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        connected (bool | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListStationsResponseListStations]
     """


    kwargs = _get_kwargs(
        limit=limit,
offset=offset,
connected=connected,
q=q,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    connected: bool | None | Unset = UNSET,
    q: None | str | Unset = UNSET,

) -> HTTPValidationError | ListStationsResponseListStations | None:
    """ List Stations

    Args:
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        connected (bool | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListStationsResponseListStations
     """


    return sync_detailed(
        client=client,
limit=limit,
offset=offset,
connected=connected,
q=q,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    connected: bool | None | Unset = UNSET,
    q: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | ListStationsResponseListStations]:
    """ List Stations

    Args:
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        connected (bool | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListStationsResponseListStations]
     """


    kwargs = _get_kwargs(
        limit=limit,
offset=offset,
connected=connected,
q=q,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    offset: int | Unset = 0,
    connected: bool | None | Unset = UNSET,
    q: None | str | Unset = UNSET,

) -> HTTPValidationError | ListStationsResponseListStations | None:
    """ List Stations

    Args:
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.
        connected (bool | None | Unset):
        q (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListStationsResponseListStations
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
offset=offset,
connected=connected,
q=q,

    )).parsed
