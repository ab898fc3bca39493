from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.read_register_body import ReadRegisterBody
from ...models.read_register_response_read_register import ReadRegisterResponseReadRegister
from typing import cast



def _get_kwargs(
    edge_id: str,
    *,
    body: ReadRegisterBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/edges/{edge_id}/diagnostics/read-register".format(edge_id=quote(str(edge_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ReadRegisterResponseReadRegister | None:
    if response.status_code == 200:
        response_200 = ReadRegisterResponseReadRegister.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ReadRegisterResponseReadRegister]:
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
    body: ReadRegisterBody,

) -> Response[HTTPValidationError | ReadRegisterResponseReadRegister]:
    """ Read Register

     Read raw registers of one of the edge's Modbus devices, relayed to the edge and answered
    (504 if the edge does not answer within ``timeout_s``, 502 with the edge's reason if the
    read failed).

    Args:
        edge_id (str):
        body (ReadRegisterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ReadRegisterResponseReadRegister]
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
    body: ReadRegisterBody,

) -> HTTPValidationError | ReadRegisterResponseReadRegister | None:
    """ Read Register

     Read raw registers of one of the edge's Modbus devices, relayed to the edge and answered
    (504 if the edge does not answer within ``timeout_s``, 502 with the edge's reason if the
    read failed).

    Args:
        edge_id (str):
        body (ReadRegisterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ReadRegisterResponseReadRegister
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
    body: ReadRegisterBody,

) -> Response[HTTPValidationError | ReadRegisterResponseReadRegister]:
    """ Read Register

     Read raw registers of one of the edge's Modbus devices, relayed to the edge and answered
    (504 if the edge does not answer within ``timeout_s``, 502 with the edge's reason if the
    read failed).

    Args:
        edge_id (str):
        body (ReadRegisterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ReadRegisterResponseReadRegister]
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
    body: ReadRegisterBody,

) -> HTTPValidationError | ReadRegisterResponseReadRegister | None:
    """ Read Register

     Read raw registers of one of the edge's Modbus devices, relayed to the edge and answered
    (504 if the edge does not answer within ``timeout_s``, 502 with the edge's reason if the
    read failed).

    Args:
        edge_id (str):
        body (ReadRegisterBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ReadRegisterResponseReadRegister
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
client=client,
body=body,

    )).parsed
