from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.meter_values_response_meter_values import MeterValuesResponseMeterValues
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    station_id: str,
    *,
    since: datetime.datetime | None | Unset = UNSET,
    transaction_id: None | str | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_transaction_id: None | str | Unset
    if isinstance(transaction_id, Unset):
        json_transaction_id = UNSET
    else:
        json_transaction_id = transaction_id
    params["transaction_id"] = json_transaction_id

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations/{station_id}/meter-values".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | MeterValuesResponseMeterValues | None:
    if response.status_code == 200:
        response_200 = MeterValuesResponseMeterValues.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | MeterValuesResponseMeterValues]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    transaction_id: None | str | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | MeterValuesResponseMeterValues]:
    """ Meter Values

    Args:
        station_id (str):
        since (datetime.datetime | None | Unset):
        transaction_id (None | str | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | MeterValuesResponseMeterValues]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
since=since,
transaction_id=transaction_id,
limit=limit,
offset=offset,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    transaction_id: None | str | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> HTTPValidationError | MeterValuesResponseMeterValues | None:
    """ Meter Values

    Args:
        station_id (str):
        since (datetime.datetime | None | Unset):
        transaction_id (None | str | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | MeterValuesResponseMeterValues
     """


    return sync_detailed(
        station_id=station_id,
client=client,
since=since,
transaction_id=transaction_id,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    transaction_id: None | str | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | MeterValuesResponseMeterValues]:
    """ Meter Values

    Args:
        station_id (str):
        since (datetime.datetime | None | Unset):
        transaction_id (None | str | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | MeterValuesResponseMeterValues]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
since=since,
transaction_id=transaction_id,
limit=limit,
offset=offset,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    since: datetime.datetime | None | Unset = UNSET,
    transaction_id: None | str | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> HTTPValidationError | MeterValuesResponseMeterValues | None:
    """ Meter Values

    Args:
        station_id (str):
        since (datetime.datetime | None | Unset):
        transaction_id (None | str | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | MeterValuesResponseMeterValues
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
since=since,
transaction_id=transaction_id,
limit=limit,
offset=offset,

    )).parsed
