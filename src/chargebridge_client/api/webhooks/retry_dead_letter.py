from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.retry_dead_letter_response_retry_dead_letter import RetryDeadLetterResponseRetryDeadLetter
from typing import cast



def _get_kwargs(
    letter_id: int,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/webhooks/dead-letters/{letter_id}/retry".format(letter_id=quote(str(letter_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter | None:
    if response.status_code == 202:
        response_202 = RetryDeadLetterResponseRetryDeadLetter.from_dict(response.json())



        return response_202

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    letter_id: int,
    *,
    client: AuthenticatedClient,

) -> Response[HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter]:
    """ Retry Dead Letter

    Args:
        letter_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter]
     """


    kwargs = _get_kwargs(
        letter_id=letter_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    letter_id: int,
    *,
    client: AuthenticatedClient,

) -> HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter | None:
    """ Retry Dead Letter

    Args:
        letter_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter
     """


    return sync_detailed(
        letter_id=letter_id,
client=client,

    ).parsed

async def asyncio_detailed(
    letter_id: int,
    *,
    client: AuthenticatedClient,

) -> Response[HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter]:
    """ Retry Dead Letter

    Args:
        letter_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter]
     """


    kwargs = _get_kwargs(
        letter_id=letter_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    letter_id: int,
    *,
    client: AuthenticatedClient,

) -> HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter | None:
    """ Retry Dead Letter

    Args:
        letter_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RetryDeadLetterResponseRetryDeadLetter
     """


    return (await asyncio_detailed(
        letter_id=letter_id,
client=client,

    )).parsed
