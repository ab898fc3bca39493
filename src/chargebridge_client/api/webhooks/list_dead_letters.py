from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_dead_letters_response_list_dead_letters import ListDeadLettersResponseListDeadLetters
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    subscription_id: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_subscription_id: None | str | Unset
    if isinstance(subscription_id, Unset):
        json_subscription_id = UNSET
    else:
        json_subscription_id = subscription_id
    params["subscription_id"] = json_subscription_id

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/webhooks/dead-letters",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListDeadLettersResponseListDeadLetters | None:
    if response.status_code == 200:
        response_200 = ListDeadLettersResponseListDeadLetters.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListDeadLettersResponseListDeadLetters]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    subscription_id: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListDeadLettersResponseListDeadLetters]:
    """ List Dead Letters

    Args:
        subscription_id (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListDeadLettersResponseListDeadLetters]
     """


    kwargs = _get_kwargs(
        subscription_id=subscription_id,
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
    subscription_id: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListDeadLettersResponseListDeadLetters | None:
    """ List Dead Letters

    Args:
        subscription_id (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListDeadLettersResponseListDeadLetters
     """


    return sync_detailed(
        client=client,
subscription_id=subscription_id,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    subscription_id: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListDeadLettersResponseListDeadLetters]:
    """ List Dead Letters

    Args:
        subscription_id (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListDeadLettersResponseListDeadLetters]
     """


    kwargs = _get_kwargs(
        subscription_id=subscription_id,
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
    subscription_id: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListDeadLettersResponseListDeadLetters | None:
    """ List Dead Letters

    Args:
        subscription_id (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListDeadLettersResponseListDeadLetters
     """


    return (await asyncio_detailed(
        client=client,
subscription_id=subscription_id,
limit=limit,
offset=offset,

    )).parsed
