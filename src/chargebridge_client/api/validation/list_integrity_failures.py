from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_integrity_failures_response_list_integrity_failures import ListIntegrityFailuresResponseListIntegrityFailures
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    station_id: None | str | Unset = UNSET,
    include_acknowledged: bool | Unset = False,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_station_id: None | str | Unset
    if isinstance(station_id, Unset):
        json_station_id = UNSET
    else:
        json_station_id = station_id
    params["station_id"] = json_station_id

    params["include_acknowledged"] = include_acknowledged


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/integrity-failures",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures | None:
    if response.status_code == 200:
        response_200 = ListIntegrityFailuresResponseListIntegrityFailures.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures]:
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
    include_acknowledged: bool | Unset = False,

) -> Response[HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures]:
    """ List Integrity Failures

     Secure-boot / integrity failures stations reported (not yet acknowledged, unless asked).

    Args:
        station_id (None | str | Unset):
        include_acknowledged (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
include_acknowledged=include_acknowledged,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    include_acknowledged: bool | Unset = False,

) -> HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures | None:
    """ List Integrity Failures

     Secure-boot / integrity failures stations reported (not yet acknowledged, unless asked).

    Args:
        station_id (None | str | Unset):
        include_acknowledged (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures
     """


    return sync_detailed(
        client=client,
station_id=station_id,
include_acknowledged=include_acknowledged,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    include_acknowledged: bool | Unset = False,

) -> Response[HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures]:
    """ List Integrity Failures

     Secure-boot / integrity failures stations reported (not yet acknowledged, unless asked).

    Args:
        station_id (None | str | Unset):
        include_acknowledged (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
include_acknowledged=include_acknowledged,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    include_acknowledged: bool | Unset = False,

) -> HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures | None:
    """ List Integrity Failures

     Secure-boot / integrity failures stations reported (not yet acknowledged, unless asked).

    Args:
        station_id (None | str | Unset):
        include_acknowledged (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListIntegrityFailuresResponseListIntegrityFailures
     """


    return (await asyncio_detailed(
        client=client,
station_id=station_id,
include_acknowledged=include_acknowledged,

    )).parsed
