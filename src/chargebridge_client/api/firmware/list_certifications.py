from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_certifications_kind_type_0 import ListCertificationsKindType0
from ...models.list_certifications_response_list_certifications import ListCertificationsResponseListCertifications
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    kind: ListCertificationsKindType0 | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_vendor: None | str | Unset
    if isinstance(vendor, Unset):
        json_vendor = UNSET
    else:
        json_vendor = vendor
    params["vendor"] = json_vendor

    json_model: None | str | Unset
    if isinstance(model, Unset):
        json_model = UNSET
    else:
        json_model = model
    params["model"] = json_model

    json_firmware_version: None | str | Unset
    if isinstance(firmware_version, Unset):
        json_firmware_version = UNSET
    else:
        json_firmware_version = firmware_version
    params["firmware_version"] = json_firmware_version

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, ListCertificationsKindType0):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/firmware/certifications",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListCertificationsResponseListCertifications | None:
    if response.status_code == 200:
        response_200 = ListCertificationsResponseListCertifications.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListCertificationsResponseListCertifications]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    kind: ListCertificationsKindType0 | None | Unset = UNSET,

) -> Response[HTTPValidationError | ListCertificationsResponseListCertifications]:
    """ List Certifications

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        kind (ListCertificationsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListCertificationsResponseListCertifications]
     """


    kwargs = _get_kwargs(
        vendor=vendor,
model=model,
firmware_version=firmware_version,
kind=kind,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    kind: ListCertificationsKindType0 | None | Unset = UNSET,

) -> HTTPValidationError | ListCertificationsResponseListCertifications | None:
    """ List Certifications

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        kind (ListCertificationsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListCertificationsResponseListCertifications
     """


    return sync_detailed(
        client=client,
vendor=vendor,
model=model,
firmware_version=firmware_version,
kind=kind,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    kind: ListCertificationsKindType0 | None | Unset = UNSET,

) -> Response[HTTPValidationError | ListCertificationsResponseListCertifications]:
    """ List Certifications

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        kind (ListCertificationsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListCertificationsResponseListCertifications]
     """


    kwargs = _get_kwargs(
        vendor=vendor,
model=model,
firmware_version=firmware_version,
kind=kind,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    kind: ListCertificationsKindType0 | None | Unset = UNSET,

) -> HTTPValidationError | ListCertificationsResponseListCertifications | None:
    """ List Certifications

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        kind (ListCertificationsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListCertificationsResponseListCertifications
     """


    return (await asyncio_detailed(
        client=client,
vendor=vendor,
model=model,
firmware_version=firmware_version,
kind=kind,

    )).parsed
