from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.set_token_stations_response_set_token_stations import SetTokenStationsResponseSetTokenStations
from ...models.token_scope import TokenScope
from typing import cast



def _get_kwargs(
    token_id: str,
    *,
    body: TokenScope,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/tokens/{token_id}/stations".format(token_id=quote(str(token_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | SetTokenStationsResponseSetTokenStations | None:
    if response.status_code == 200:
        response_200 = SetTokenStationsResponseSetTokenStations.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | SetTokenStationsResponseSetTokenStations]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    token_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenScope,

) -> Response[HTTPValidationError | SetTokenStationsResponseSetTokenStations]:
    """ Set Token Stations

     Change a token's scope (``null``: every station). Refused to tokens limited to stations:
    they can neither widen their own scope nor change another's.

    Args:
        token_id (str):
        body (TokenScope):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | SetTokenStationsResponseSetTokenStations]
     """


    kwargs = _get_kwargs(
        token_id=token_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    token_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenScope,

) -> HTTPValidationError | SetTokenStationsResponseSetTokenStations | None:
    """ Set Token Stations

     Change a token's scope (``null``: every station). Refused to tokens limited to stations:
    they can neither widen their own scope nor change another's.

    Args:
        token_id (str):
        body (TokenScope):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | SetTokenStationsResponseSetTokenStations
     """


    return sync_detailed(
        token_id=token_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    token_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenScope,

) -> Response[HTTPValidationError | SetTokenStationsResponseSetTokenStations]:
    """ Set Token Stations

     Change a token's scope (``null``: every station). Refused to tokens limited to stations:
    they can neither widen their own scope nor change another's.

    Args:
        token_id (str):
        body (TokenScope):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | SetTokenStationsResponseSetTokenStations]
     """


    kwargs = _get_kwargs(
        token_id=token_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    token_id: str,
    *,
    client: AuthenticatedClient,
    body: TokenScope,

) -> HTTPValidationError | SetTokenStationsResponseSetTokenStations | None:
    """ Set Token Stations

     Change a token's scope (``null``: every station). Refused to tokens limited to stations:
    they can neither widen their own scope nor change another's.

    Args:
        token_id (str):
        body (TokenScope):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | SetTokenStationsResponseSetTokenStations
     """


    return (await asyncio_detailed(
        token_id=token_id,
client=client,
body=body,

    )).parsed
