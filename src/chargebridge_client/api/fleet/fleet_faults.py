from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.fleet_faults_response_fleet_faults import FleetFaultsResponseFleetFaults
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    active: bool | Unset = True,
    limit: int | Unset = 20,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["active"] = active

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/fleet/faults",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> FleetFaultsResponseFleetFaults | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = FleetFaultsResponseFleetFaults.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[FleetFaultsResponseFleetFaults | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 20,

) -> Response[FleetFaultsResponseFleetFaults | HTTPValidationError]:
    """ Fleet Faults

    Args:
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FleetFaultsResponseFleetFaults | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        active=active,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 20,

) -> FleetFaultsResponseFleetFaults | HTTPValidationError | None:
    """ Fleet Faults

    Args:
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FleetFaultsResponseFleetFaults | HTTPValidationError
     """


    return sync_detailed(
        client=client,
active=active,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 20,

) -> Response[FleetFaultsResponseFleetFaults | HTTPValidationError]:
    """ Fleet Faults

    Args:
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FleetFaultsResponseFleetFaults | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        active=active,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    active: bool | Unset = True,
    limit: int | Unset = 20,

) -> FleetFaultsResponseFleetFaults | HTTPValidationError | None:
    """ Fleet Faults

    Args:
        active (bool | Unset):  Default: True.
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FleetFaultsResponseFleetFaults | HTTPValidationError
     """


    return (await asyncio_detailed(
        client=client,
active=active,
limit=limit,

    )).parsed
