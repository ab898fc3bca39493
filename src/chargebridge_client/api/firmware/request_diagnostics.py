from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.diagnostics_body import DiagnosticsBody
from ...models.http_validation_error import HTTPValidationError
from ...models.request_diagnostics_response_request_diagnostics import RequestDiagnosticsResponseRequestDiagnostics
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    body: DiagnosticsBody | None | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/firmware/stations/{station_id}/diagnostics".format(station_id=quote(str(station_id), safe=""),),
    }

    
    if isinstance(body, DiagnosticsBody):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics | None:
    if response.status_code == 201:
        response_201 = RequestDiagnosticsResponseRequestDiagnostics.from_dict(response.json())



        return response_201

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics]:
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
    body: DiagnosticsBody | None | Unset = UNSET,

) -> Response[HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics]:
    """ Request Diagnostics

     1.6 GetDiagnostics (or GetLog) / 2.0.1 GetLog; the station uploads to a one-request URL.

    Args:
        station_id (str):
        body (DiagnosticsBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticsBody | None | Unset = UNSET,

) -> HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics | None:
    """ Request Diagnostics

     1.6 GetDiagnostics (or GetLog) / 2.0.1 GetLog; the station uploads to a one-request URL.

    Args:
        station_id (str):
        body (DiagnosticsBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics
     """


    return sync_detailed(
        station_id=station_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticsBody | None | Unset = UNSET,

) -> Response[HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics]:
    """ Request Diagnostics

     1.6 GetDiagnostics (or GetLog) / 2.0.1 GetLog; the station uploads to a one-request URL.

    Args:
        station_id (str):
        body (DiagnosticsBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticsBody | None | Unset = UNSET,

) -> HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics | None:
    """ Request Diagnostics

     1.6 GetDiagnostics (or GetLog) / 2.0.1 GetLog; the station uploads to a one-request URL.

    Args:
        station_id (str):
        body (DiagnosticsBody | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RequestDiagnosticsResponseRequestDiagnostics
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
body=body,

    )).parsed
