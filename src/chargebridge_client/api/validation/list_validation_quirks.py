from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_validation_quirks_response_list_validation_quirks import ListValidationQuirksResponseListValidationQuirks
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    run_id: None | str | Unset = UNSET,
    limit: int | Unset = 500,

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

    json_run_id: None | str | Unset
    if isinstance(run_id, Unset):
        json_run_id = UNSET
    else:
        json_run_id = run_id
    params["run_id"] = json_run_id

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/validation-quirks",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListValidationQuirksResponseListValidationQuirks | None:
    if response.status_code == 200:
        response_200 = ListValidationQuirksResponseListValidationQuirks.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListValidationQuirksResponseListValidationQuirks]:
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
    run_id: None | str | Unset = UNSET,
    limit: int | Unset = 500,

) -> Response[HTTPValidationError | ListValidationQuirksResponseListValidationQuirks]:
    """ List Validation Quirks

     Quirks validation runs recorded per vendor/model/firmware (newest first).

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        run_id (None | str | Unset):
        limit (int | Unset):  Default: 500.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListValidationQuirksResponseListValidationQuirks]
     """


    kwargs = _get_kwargs(
        vendor=vendor,
model=model,
firmware_version=firmware_version,
run_id=run_id,
limit=limit,

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
    run_id: None | str | Unset = UNSET,
    limit: int | Unset = 500,

) -> HTTPValidationError | ListValidationQuirksResponseListValidationQuirks | None:
    """ List Validation Quirks

     Quirks validation runs recorded per vendor/model/firmware (newest first).

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        run_id (None | str | Unset):
        limit (int | Unset):  Default: 500.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListValidationQuirksResponseListValidationQuirks
     """


    return sync_detailed(
        client=client,
vendor=vendor,
model=model,
firmware_version=firmware_version,
run_id=run_id,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    run_id: None | str | Unset = UNSET,
    limit: int | Unset = 500,

) -> Response[HTTPValidationError | ListValidationQuirksResponseListValidationQuirks]:
    """ List Validation Quirks

     Quirks validation runs recorded per vendor/model/firmware (newest first).

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        run_id (None | str | Unset):
        limit (int | Unset):  Default: 500.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListValidationQuirksResponseListValidationQuirks]
     """


    kwargs = _get_kwargs(
        vendor=vendor,
model=model,
firmware_version=firmware_version,
run_id=run_id,
limit=limit,

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
    run_id: None | str | Unset = UNSET,
    limit: int | Unset = 500,

) -> HTTPValidationError | ListValidationQuirksResponseListValidationQuirks | None:
    """ List Validation Quirks

     Quirks validation runs recorded per vendor/model/firmware (newest first).

    Args:
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        run_id (None | str | Unset):
        limit (int | Unset):  Default: 500.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListValidationQuirksResponseListValidationQuirks
     """


    return (await asyncio_detailed(
        client=client,
vendor=vendor,
model=model,
firmware_version=firmware_version,
run_id=run_id,
limit=limit,

    )).parsed
