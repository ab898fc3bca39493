from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_all_certificates_response_list_all_certificates import ListAllCertificatesResponseListAllCertificates
from ...models.list_all_certificates_status import ListAllCertificatesStatus
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    expiring_within_days: int | None | Unset = UNSET,
    station_id: None | str | Unset = UNSET,
    status: ListAllCertificatesStatus | Unset = ListAllCertificatesStatus.ACTIVE,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_expiring_within_days: int | None | Unset
    if isinstance(expiring_within_days, Unset):
        json_expiring_within_days = UNSET
    else:
        json_expiring_within_days = expiring_within_days
    params["expiring_within_days"] = json_expiring_within_days

    json_station_id: None | str | Unset
    if isinstance(station_id, Unset):
        json_station_id = UNSET
    else:
        json_station_id = station_id
    params["station_id"] = json_station_id

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/certificates",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListAllCertificatesResponseListAllCertificates | None:
    if response.status_code == 200:
        response_200 = ListAllCertificatesResponseListAllCertificates.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListAllCertificatesResponseListAllCertificates]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    expiring_within_days: int | None | Unset = UNSET,
    station_id: None | str | Unset = UNSET,
    status: ListAllCertificatesStatus | Unset = ListAllCertificatesStatus.ACTIVE,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListAllCertificatesResponseListAllCertificates]:
    """ List All Certificates

     Station certificates, soonest expiry first. ``expiring_within_days``: only those that expire
    within N days (expired ones included); ``status`` is ``active`` unless asked otherwise.

    Args:
        expiring_within_days (int | None | Unset):
        station_id (None | str | Unset):
        status (ListAllCertificatesStatus | Unset):  Default: ListAllCertificatesStatus.ACTIVE.
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListAllCertificatesResponseListAllCertificates]
     """


    kwargs = _get_kwargs(
        expiring_within_days=expiring_within_days,
station_id=station_id,
status=status,
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
    expiring_within_days: int | None | Unset = UNSET,
    station_id: None | str | Unset = UNSET,
    status: ListAllCertificatesStatus | Unset = ListAllCertificatesStatus.ACTIVE,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListAllCertificatesResponseListAllCertificates | None:
    """ List All Certificates

     Station certificates, soonest expiry first. ``expiring_within_days``: only those that expire
    within N days (expired ones included); ``status`` is ``active`` unless asked otherwise.

    Args:
        expiring_within_days (int | None | Unset):
        station_id (None | str | Unset):
        status (ListAllCertificatesStatus | Unset):  Default: ListAllCertificatesStatus.ACTIVE.
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListAllCertificatesResponseListAllCertificates
     """


    return sync_detailed(
        client=client,
expiring_within_days=expiring_within_days,
station_id=station_id,
status=status,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    expiring_within_days: int | None | Unset = UNSET,
    station_id: None | str | Unset = UNSET,
    status: ListAllCertificatesStatus | Unset = ListAllCertificatesStatus.ACTIVE,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[HTTPValidationError | ListAllCertificatesResponseListAllCertificates]:
    """ List All Certificates

     Station certificates, soonest expiry first. ``expiring_within_days``: only those that expire
    within N days (expired ones included); ``status`` is ``active`` unless asked otherwise.

    Args:
        expiring_within_days (int | None | Unset):
        station_id (None | str | Unset):
        status (ListAllCertificatesStatus | Unset):  Default: ListAllCertificatesStatus.ACTIVE.
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListAllCertificatesResponseListAllCertificates]
     """


    kwargs = _get_kwargs(
        expiring_within_days=expiring_within_days,
station_id=station_id,
status=status,
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
    expiring_within_days: int | None | Unset = UNSET,
    station_id: None | str | Unset = UNSET,
    status: ListAllCertificatesStatus | Unset = ListAllCertificatesStatus.ACTIVE,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> HTTPValidationError | ListAllCertificatesResponseListAllCertificates | None:
    """ List All Certificates

     Station certificates, soonest expiry first. ``expiring_within_days``: only those that expire
    within N days (expired ones included); ``status`` is ``active`` unless asked otherwise.

    Args:
        expiring_within_days (int | None | Unset):
        station_id (None | str | Unset):
        status (ListAllCertificatesStatus | Unset):  Default: ListAllCertificatesStatus.ACTIVE.
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListAllCertificatesResponseListAllCertificates
     """


    return (await asyncio_detailed(
        client=client,
expiring_within_days=expiring_within_days,
station_id=station_id,
status=status,
limit=limit,
offset=offset,

    )).parsed
