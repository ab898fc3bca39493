from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.send_command_body_type_0 import SendCommandBodyType0
from ...models.send_command_command import SendCommandCommand
from ...models.send_command_response_send_command import SendCommandResponseSendCommand
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    command: SendCommandCommand,
    *,
    body: None | SendCommandBodyType0 | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/stations/{station_id}/commands/{command}".format(station_id=quote(str(station_id), safe=""),command=quote(str(command), safe=""),),
    }

    
    if isinstance(body, SendCommandBodyType0):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | SendCommandResponseSendCommand | None:
    if response.status_code == 200:
        response_200 = SendCommandResponseSendCommand.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | SendCommandResponseSendCommand]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    station_id: str,
    command: SendCommandCommand,
    *,
    client: AuthenticatedClient,
    body: None | SendCommandBodyType0 | Unset = UNSET,

) -> Response[HTTPValidationError | SendCommandResponseSendCommand]:
    """ Send Command

    Args:
        station_id (str):
        command (SendCommandCommand):
        body (None | SendCommandBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | SendCommandResponseSendCommand]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
command=command,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    command: SendCommandCommand,
    *,
    client: AuthenticatedClient,
    body: None | SendCommandBodyType0 | Unset = UNSET,

) -> HTTPValidationError | SendCommandResponseSendCommand | None:
    """ Send Command

    Args:
        station_id (str):
        command (SendCommandCommand):
        body (None | SendCommandBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | SendCommandResponseSendCommand
     """


    return sync_detailed(
        station_id=station_id,
command=command,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    command: SendCommandCommand,
    *,
    client: AuthenticatedClient,
    body: None | SendCommandBodyType0 | Unset = UNSET,

) -> Response[HTTPValidationError | SendCommandResponseSendCommand]:
    """ Send Command

    Args:
        station_id (str):
        command (SendCommandCommand):
        body (None | SendCommandBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | SendCommandResponseSendCommand]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
command=command,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    command: SendCommandCommand,
    *,
    client: AuthenticatedClient,
    body: None | SendCommandBodyType0 | Unset = UNSET,

) -> HTTPValidationError | SendCommandResponseSendCommand | None:
    """ Send Command

    Args:
        station_id (str):
        command (SendCommandCommand):
        body (None | SendCommandBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | SendCommandResponseSendCommand
     """


    return (await asyncio_detailed(
        station_id=station_id,
command=command,
client=client,
body=body,

    )).parsed
