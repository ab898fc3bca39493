from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.command_body import CommandBody
from ...models.create_command_response_create_command import CreateCommandResponseCreateCommand
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    edge_id: str,
    *,
    body: CommandBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/edges/{edge_id}/commands".format(edge_id=quote(str(edge_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CreateCommandResponseCreateCommand | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = CreateCommandResponseCreateCommand.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CreateCommandResponseCreateCommand | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: CommandBody,

) -> Response[CreateCommandResponseCreateCommand | HTTPValidationError]:
    """ Create Command

     Queue a command for the edge (``set_limit``, ``read_register``, ``ping``, ``status``); with
    ``wait_s``, wait that long for its answer. ``state`` says where it is.

    Args:
        edge_id (str):
        body (CommandBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateCommandResponseCreateCommand | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: CommandBody,

) -> CreateCommandResponseCreateCommand | HTTPValidationError | None:
    """ Create Command

     Queue a command for the edge (``set_limit``, ``read_register``, ``ping``, ``status``); with
    ``wait_s``, wait that long for its answer. ``state`` says where it is.

    Args:
        edge_id (str):
        body (CommandBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateCommandResponseCreateCommand | HTTPValidationError
     """


    return sync_detailed(
        edge_id=edge_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: CommandBody,

) -> Response[CreateCommandResponseCreateCommand | HTTPValidationError]:
    """ Create Command

     Queue a command for the edge (``set_limit``, ``read_register``, ``ping``, ``status``); with
    ``wait_s``, wait that long for its answer. ``state`` says where it is.

    Args:
        edge_id (str):
        body (CommandBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateCommandResponseCreateCommand | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: CommandBody,

) -> CreateCommandResponseCreateCommand | HTTPValidationError | None:
    """ Create Command

     Queue a command for the edge (``set_limit``, ``read_register``, ``ping``, ``status``); with
    ``wait_s``, wait that long for its answer. ``state`` says where it is.

    Args:
        edge_id (str):
        body (CommandBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateCommandResponseCreateCommand | HTTPValidationError
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
client=client,
body=body,

    )).parsed
