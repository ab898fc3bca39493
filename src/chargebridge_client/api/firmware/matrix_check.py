from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.matrix_check_response_matrix_check import MatrixCheckResponseMatrixCheck
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    requires: str,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["requires"] = requires

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


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/firmware/matrix/check",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | MatrixCheckResponseMatrixCheck | None:
    if response.status_code == 200:
        response_200 = MatrixCheckResponseMatrixCheck.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | MatrixCheckResponseMatrixCheck]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    requires: str,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | MatrixCheckResponseMatrixCheck]:
    """ Matrix Check

     Which models/firmware meet a requirement set, with the evidence for each requirement
    (``matches``), and what the others miss (``others``). Unknown names: 422.

    Args:
        requires (str): e.g. 2.0.1,advanced-security
        vendor (None | str | Unset):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | MatrixCheckResponseMatrixCheck]
     """


    kwargs = _get_kwargs(
        requires=requires,
vendor=vendor,
model=model,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    requires: str,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,

) -> HTTPValidationError | MatrixCheckResponseMatrixCheck | None:
    """ Matrix Check

     Which models/firmware meet a requirement set, with the evidence for each requirement
    (``matches``), and what the others miss (``others``). Unknown names: 422.

    Args:
        requires (str): e.g. 2.0.1,advanced-security
        vendor (None | str | Unset):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | MatrixCheckResponseMatrixCheck
     """


    return sync_detailed(
        client=client,
requires=requires,
vendor=vendor,
model=model,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    requires: str,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,

) -> Response[HTTPValidationError | MatrixCheckResponseMatrixCheck]:
    """ Matrix Check

     Which models/firmware meet a requirement set, with the evidence for each requirement
    (``matches``), and what the others miss (``others``). Unknown names: 422.

    Args:
        requires (str): e.g. 2.0.1,advanced-security
        vendor (None | str | Unset):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | MatrixCheckResponseMatrixCheck]
     """


    kwargs = _get_kwargs(
        requires=requires,
vendor=vendor,
model=model,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    requires: str,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,

) -> HTTPValidationError | MatrixCheckResponseMatrixCheck | None:
    """ Matrix Check

     Which models/firmware meet a requirement set, with the evidence for each requirement
    (``matches``), and what the others miss (``others``). Unknown names: 422.

    Args:
        requires (str): e.g. 2.0.1,advanced-security
        vendor (None | str | Unset):
        model (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | MatrixCheckResponseMatrixCheck
     """


    return (await asyncio_detailed(
        client=client,
requires=requires,
vendor=vendor,
model=model,

    )).parsed
