from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    checks: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_checks: None | str | Unset
    if isinstance(checks, Unset):
        json_checks = UNSET
    else:
        json_checks = checks
    params["checks"] = json_checks


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/readyz",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = response.json()
        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if response.status_code == 503:
        response_503 = cast(Any, None)
        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    checks: None | str | Unset = UNSET,

) -> Response[Any | HTTPValidationError]:
    """ Readyz

     Every readiness check (database; NATS in cluster mode); ``?checks=database``: only those named
    (what a load balancer gates new stations on, see docs/scaling.md).

    Args:
        checks (None | str | Unset): only these checks, comma-separated

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        checks=checks,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    checks: None | str | Unset = UNSET,

) -> Any | HTTPValidationError | None:
    """ Readyz

     Every readiness check (database; NATS in cluster mode); ``?checks=database``: only those named
    (what a load balancer gates new stations on, see docs/scaling.md).

    Args:
        checks (None | str | Unset): only these checks, comma-separated

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return sync_detailed(
        client=client,
checks=checks,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    checks: None | str | Unset = UNSET,

) -> Response[Any | HTTPValidationError]:
    """ Readyz

     Every readiness check (database; NATS in cluster mode); ``?checks=database``: only those named
    (what a load balancer gates new stations on, see docs/scaling.md).

    Args:
        checks (None | str | Unset): only these checks, comma-separated

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        checks=checks,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    checks: None | str | Unset = UNSET,

) -> Any | HTTPValidationError | None:
    """ Readyz

     Every readiness check (database; NATS in cluster mode); ``?checks=database``: only those named
    (what a load balancer gates new stations on, see docs/scaling.md).

    Args:
        checks (None | str | Unset): only these checks, comma-separated

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return (await asyncio_detailed(
        client=client,
checks=checks,

    )).parsed
