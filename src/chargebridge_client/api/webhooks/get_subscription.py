from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.get_subscription_response_get_subscription import GetSubscriptionResponseGetSubscription
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    sub_id: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/webhooks/{sub_id}".format(sub_id=quote(str(sub_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> GetSubscriptionResponseGetSubscription | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = GetSubscriptionResponseGetSubscription.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[GetSubscriptionResponseGetSubscription | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    sub_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[GetSubscriptionResponseGetSubscription | HTTPValidationError]:
    """ Get Subscription

    Args:
        sub_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetSubscriptionResponseGetSubscription | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        sub_id=sub_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    sub_id: str,
    *,
    client: AuthenticatedClient,

) -> GetSubscriptionResponseGetSubscription | HTTPValidationError | None:
    """ Get Subscription

    Args:
        sub_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetSubscriptionResponseGetSubscription | HTTPValidationError
     """


    return sync_detailed(
        sub_id=sub_id,
client=client,

    ).parsed

async def asyncio_detailed(
    sub_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[GetSubscriptionResponseGetSubscription | HTTPValidationError]:
    """ Get Subscription

    Args:
        sub_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetSubscriptionResponseGetSubscription | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        sub_id=sub_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    sub_id: str,
    *,
    client: AuthenticatedClient,

) -> GetSubscriptionResponseGetSubscription | HTTPValidationError | None:
    """ Get Subscription

    Args:
        sub_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetSubscriptionResponseGetSubscription | HTTPValidationError
     """


    return (await asyncio_detailed(
        sub_id=sub_id,
client=client,

    )).parsed
