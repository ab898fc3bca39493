from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.upload_image_response_upload_image import UploadImageResponseUploadImage
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    vendor: str,
    model: list[str],
    version: str,
    hardware_revision: list[str] | None | Unset = UNSET,
    notes: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    replace: bool | Unset = False,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["vendor"] = vendor

    json_model = model


    params["model"] = json_model

    params["version"] = version

    json_hardware_revision: list[str] | None | Unset
    if isinstance(hardware_revision, Unset):
        json_hardware_revision = UNSET
    elif isinstance(hardware_revision, list):
        json_hardware_revision = hardware_revision


    else:
        json_hardware_revision = hardware_revision
    params["hardware_revision"] = json_hardware_revision

    json_notes: None | str | Unset
    if isinstance(notes, Unset):
        json_notes = UNSET
    else:
        json_notes = notes
    params["notes"] = json_notes

    json_filename: None | str | Unset
    if isinstance(filename, Unset):
        json_filename = UNSET
    else:
        json_filename = filename
    params["filename"] = json_filename

    params["replace"] = replace


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/firmware/images",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | UploadImageResponseUploadImage | None:
    if response.status_code == 201:
        response_201 = UploadImageResponseUploadImage.from_dict(response.json())



        return response_201

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | UploadImageResponseUploadImage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    vendor: str,
    model: list[str],
    version: str,
    hardware_revision: list[str] | None | Unset = UNSET,
    notes: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    replace: bool | Unset = False,

) -> Response[HTTPValidationError | UploadImageResponseUploadImage]:
    """ Upload Image

     The image is the request body (application/octet-stream, or one file in multipart/form-data).
    An image of the same vendor, version, model and hardware revision is refused (409) unless
    ``replace=true``: then the new one takes its place.

    Args:
        vendor (str):
        model (list[str]):
        version (str):
        hardware_revision (list[str] | None | Unset):
        notes (None | str | Unset):
        filename (None | str | Unset):
        replace (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | UploadImageResponseUploadImage]
     """


    kwargs = _get_kwargs(
        vendor=vendor,
model=model,
version=version,
hardware_revision=hardware_revision,
notes=notes,
filename=filename,
replace=replace,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    vendor: str,
    model: list[str],
    version: str,
    hardware_revision: list[str] | None | Unset = UNSET,
    notes: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    replace: bool | Unset = False,

) -> HTTPValidationError | UploadImageResponseUploadImage | None:
    """ Upload Image

     The image is the request body (application/octet-stream, or one file in multipart/form-data).
    An image of the same vendor, version, model and hardware revision is refused (409) unless
    ``replace=true``: then the new one takes its place.

    Args:
        vendor (str):
        model (list[str]):
        version (str):
        hardware_revision (list[str] | None | Unset):
        notes (None | str | Unset):
        filename (None | str | Unset):
        replace (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | UploadImageResponseUploadImage
     """


    return sync_detailed(
        client=client,
vendor=vendor,
model=model,
version=version,
hardware_revision=hardware_revision,
notes=notes,
filename=filename,
replace=replace,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    vendor: str,
    model: list[str],
    version: str,
    hardware_revision: list[str] | None | Unset = UNSET,
    notes: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    replace: bool | Unset = False,

) -> Response[HTTPValidationError | UploadImageResponseUploadImage]:
    """ Upload Image

     The image is the request body (application/octet-stream, or one file in multipart/form-data).
    An image of the same vendor, version, model and hardware revision is refused (409) unless
    ``replace=true``: then the new one takes its place.

    Args:
        vendor (str):
        model (list[str]):
        version (str):
        hardware_revision (list[str] | None | Unset):
        notes (None | str | Unset):
        filename (None | str | Unset):
        replace (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | UploadImageResponseUploadImage]
     """


    kwargs = _get_kwargs(
        vendor=vendor,
model=model,
version=version,
hardware_revision=hardware_revision,
notes=notes,
filename=filename,
replace=replace,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    vendor: str,
    model: list[str],
    version: str,
    hardware_revision: list[str] | None | Unset = UNSET,
    notes: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    replace: bool | Unset = False,

) -> HTTPValidationError | UploadImageResponseUploadImage | None:
    """ Upload Image

     The image is the request body (application/octet-stream, or one file in multipart/form-data).
    An image of the same vendor, version, model and hardware revision is refused (409) unless
    ``replace=true``: then the new one takes its place.

    Args:
        vendor (str):
        model (list[str]):
        version (str):
        hardware_revision (list[str] | None | Unset):
        notes (None | str | Unset):
        filename (None | str | Unset):
        replace (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | UploadImageResponseUploadImage
     """


    return (await asyncio_detailed(
        client=client,
vendor=vendor,
model=model,
version=version,
hardware_revision=hardware_revision,
notes=notes,
filename=filename,
replace=replace,

    )).parsed
