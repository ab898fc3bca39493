from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.raw_call_payload import RawCallPayload
from ...models.raw_call_response_raw_call import RawCallResponseRawCall
from typing import cast



def _get_kwargs(
    station_id: str,
    action: str,
    *,
    body: RawCallPayload,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/stations/{station_id}/call/{action}".format(station_id=quote(str(station_id), safe=""),action=quote(str(action), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | RawCallResponseRawCall | None:
    if response.status_code == 200:
        response_200 = RawCallResponseRawCall.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | RawCallResponseRawCall]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    station_id: str,
    action: str,
    *,
    client: AuthenticatedClient,
    body: RawCallPayload,

) -> Response[HTTPValidationError | RawCallResponseRawCall]:
    """ Raw Call

    Args:
        station_id (str):
        action (str):
        body (RawCallPayload):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RawCallResponseRawCall]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
action=action,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    action: str,
    *,
    client: AuthenticatedClient,
    body: RawCallPayload,

) -> HTTPValidationError | RawCallResponseRawCall | None:
    """ Raw Call

    Args:
        station_id (str):
        action (str):
        body (RawCallPayload):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RawCallResponseRawCall
     """


    return sync_detailed(
        station_id=station_id,
action=action,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    action: str,
    *,
    client: AuthenticatedClient,
    body: RawCallPayload,

) -> Response[HTTPValidationError | RawCallResponseRawCall]:
    """ Raw Call

    Args:
        station_id (str):
        action (str):
        body (RawCallPayload):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RawCallResponseRawCall]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
action=action,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    action: str,
    *,
    client: AuthenticatedClient,
    body: RawCallPayload,

) -> HTTPValidationError | RawCallResponseRawCall | None:
    """ Raw Call

    Args:
        station_id (str):
        action (str):
        body (RawCallPayload):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RawCallResponseRawCall
     """


    return (await asyncio_detailed(
        station_id=station_id,
action=action,
client=client,
body=body,

    )).parsed
