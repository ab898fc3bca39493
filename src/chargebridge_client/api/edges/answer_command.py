from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.answer import Answer
from ...models.answer_command_response_answer_command import AnswerCommandResponseAnswerCommand
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    edge_id: str,
    command_id: str,
    *,
    body: Answer,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/edges/{edge_id}/commands/{command_id}/answer".format(edge_id=quote(str(edge_id), safe=""),command_id=quote(str(command_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AnswerCommandResponseAnswerCommand | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = AnswerCommandResponseAnswerCommand.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AnswerCommandResponseAnswerCommand | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    edge_id: str,
    command_id: str,
    *,
    client: AuthenticatedClient,
    body: Answer,

) -> Response[AnswerCommandResponseAnswerCommand | HTTPValidationError]:
    """ Answer Command

     The edge's answer to a command (the first answer counts).

    Args:
        edge_id (str):
        command_id (str):
        body (Answer):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AnswerCommandResponseAnswerCommand | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
command_id=command_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    edge_id: str,
    command_id: str,
    *,
    client: AuthenticatedClient,
    body: Answer,

) -> AnswerCommandResponseAnswerCommand | HTTPValidationError | None:
    """ Answer Command

     The edge's answer to a command (the first answer counts).

    Args:
        edge_id (str):
        command_id (str):
        body (Answer):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AnswerCommandResponseAnswerCommand | HTTPValidationError
     """


    return sync_detailed(
        edge_id=edge_id,
command_id=command_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    edge_id: str,
    command_id: str,
    *,
    client: AuthenticatedClient,
    body: Answer,

) -> Response[AnswerCommandResponseAnswerCommand | HTTPValidationError]:
    """ Answer Command

     The edge's answer to a command (the first answer counts).

    Args:
        edge_id (str):
        command_id (str):
        body (Answer):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AnswerCommandResponseAnswerCommand | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
command_id=command_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    edge_id: str,
    command_id: str,
    *,
    client: AuthenticatedClient,
    body: Answer,

) -> AnswerCommandResponseAnswerCommand | HTTPValidationError | None:
    """ Answer Command

     The edge's answer to a command (the first answer counts).

    Args:
        edge_id (str):
        command_id (str):
        body (Answer):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AnswerCommandResponseAnswerCommand | HTTPValidationError
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
command_id=command_id,
client=client,
body=body,

    )).parsed
