from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.put_schedule_response_put_schedule import PutScheduleResponsePutSchedule
from ...models.schedule_body import ScheduleBody
from typing import cast



def _get_kwargs(
    site_id: str,
    *,
    body: ScheduleBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/sites/{site_id}/schedule".format(site_id=quote(str(site_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | PutScheduleResponsePutSchedule | None:
    if response.status_code == 200:
        response_200 = PutScheduleResponsePutSchedule.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | PutScheduleResponsePutSchedule]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    site_id: str,
    *,
    client: AuthenticatedClient,
    body: ScheduleBody,

) -> Response[HTTPValidationError | PutScheduleResponsePutSchedule]:
    """ Put Schedule

    Args:
        site_id (str):
        body (ScheduleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | PutScheduleResponsePutSchedule]
     """


    kwargs = _get_kwargs(
        site_id=site_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    site_id: str,
    *,
    client: AuthenticatedClient,
    body: ScheduleBody,

) -> HTTPValidationError | PutScheduleResponsePutSchedule | None:
    """ Put Schedule

    Args:
        site_id (str):
        body (ScheduleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | PutScheduleResponsePutSchedule
     """


    return sync_detailed(
        site_id=site_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    site_id: str,
    *,
    client: AuthenticatedClient,
    body: ScheduleBody,

) -> Response[HTTPValidationError | PutScheduleResponsePutSchedule]:
    """ Put Schedule

    Args:
        site_id (str):
        body (ScheduleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | PutScheduleResponsePutSchedule]
     """


    kwargs = _get_kwargs(
        site_id=site_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    site_id: str,
    *,
    client: AuthenticatedClient,
    body: ScheduleBody,

) -> HTTPValidationError | PutScheduleResponsePutSchedule | None:
    """ Put Schedule

    Args:
        site_id (str):
        body (ScheduleBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | PutScheduleResponsePutSchedule
     """


    return (await asyncio_detailed(
        site_id=site_id,
client=client,
body=body,

    )).parsed
