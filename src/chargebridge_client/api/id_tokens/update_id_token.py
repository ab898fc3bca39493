from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.id_token_update import IdTokenUpdate
from ...models.update_id_token_response_update_id_token import UpdateIdTokenResponseUpdateIdToken
from typing import cast



def _get_kwargs(
    id_token: str,
    *,
    body: IdTokenUpdate,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/id-tokens/{id_token}".format(id_token=quote(str(id_token), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | UpdateIdTokenResponseUpdateIdToken | None:
    if response.status_code == 200:
        response_200 = UpdateIdTokenResponseUpdateIdToken.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | UpdateIdTokenResponseUpdateIdToken]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id_token: str,
    *,
    client: AuthenticatedClient,
    body: IdTokenUpdate,

) -> Response[HTTPValidationError | UpdateIdTokenResponseUpdateIdToken]:
    """ Update Id Token

    Args:
        id_token (str):
        body (IdTokenUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | UpdateIdTokenResponseUpdateIdToken]
     """


    kwargs = _get_kwargs(
        id_token=id_token,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id_token: str,
    *,
    client: AuthenticatedClient,
    body: IdTokenUpdate,

) -> HTTPValidationError | UpdateIdTokenResponseUpdateIdToken | None:
    """ Update Id Token

    Args:
        id_token (str):
        body (IdTokenUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | UpdateIdTokenResponseUpdateIdToken
     """


    return sync_detailed(
        id_token=id_token,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    id_token: str,
    *,
    client: AuthenticatedClient,
    body: IdTokenUpdate,

) -> Response[HTTPValidationError | UpdateIdTokenResponseUpdateIdToken]:
    """ Update Id Token

    Args:
        id_token (str):
        body (IdTokenUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | UpdateIdTokenResponseUpdateIdToken]
     """


    kwargs = _get_kwargs(
        id_token=id_token,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id_token: str,
    *,
    client: AuthenticatedClient,
    body: IdTokenUpdate,

) -> HTTPValidationError | UpdateIdTokenResponseUpdateIdToken | None:
    """ Update Id Token

    Args:
        id_token (str):
        body (IdTokenUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | UpdateIdTokenResponseUpdateIdToken
     """


    return (await asyncio_detailed(
        id_token=id_token,
client=client,
body=body,

    )).parsed
