from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_audit_response_list_audit import ListAuditResponseListAudit
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    station_id: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_station_id: None | str | Unset
    if isinstance(station_id, Unset):
        json_station_id = UNSET
    else:
        json_station_id = station_id
    params["station_id"] = json_station_id

    json_actor: None | str | Unset
    if isinstance(actor, Unset):
        json_actor = UNSET
    else:
        json_actor = actor
    params["actor"] = json_actor

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListAuditResponseListAudit | None:
    if response.status_code == 200:
        response_200 = ListAuditResponseListAudit.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListAuditResponseListAudit]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListAuditResponseListAudit]:
    """ List Audit

     Audit entries, newest first: who (token id, name, role), what, station, parameters, result, when.
    A token limited to stations sees the entries of its stations only.

    Args:
        station_id (None | str | Unset):
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListAuditResponseListAudit]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
actor=actor,
since=since,
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
    station_id: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListAuditResponseListAudit | None:
    """ List Audit

     Audit entries, newest first: who (token id, name, role), what, station, parameters, result, when.
    A token limited to stations sees the entries of its stations only.

    Args:
        station_id (None | str | Unset):
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListAuditResponseListAudit
     """


    return sync_detailed(
        client=client,
station_id=station_id,
actor=actor,
since=since,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    station_id: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListAuditResponseListAudit]:
    """ List Audit

     Audit entries, newest first: who (token id, name, role), what, station, parameters, result, when.
    A token limited to stations sees the entries of its stations only.

    Args:
        station_id (None | str | Unset):
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListAuditResponseListAudit]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
actor=actor,
since=since,
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
    station_id: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListAuditResponseListAudit | None:
    """ List Audit

     Audit entries, newest first: who (token id, name, role), what, station, parameters, result, when.
    A token limited to stations sees the entries of its stations only.

    Args:
        station_id (None | str | Unset):
        actor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListAuditResponseListAudit
     """


    return (await asyncio_detailed(
        client=client,
station_id=station_id,
actor=actor,
since=since,
limit=limit,
offset=offset,

    )).parsed
