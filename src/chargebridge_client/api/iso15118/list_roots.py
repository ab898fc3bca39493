from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_roots_kind_type_0 import ListRootsKindType0
from ...models.list_roots_response_list_roots import ListRootsResponseListRoots
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    kind: ListRootsKindType0 | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, ListRootsKindType0):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/iso15118/roots",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListRootsResponseListRoots | None:
    if response.status_code == 200:
        response_200 = ListRootsResponseListRoots.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListRootsResponseListRoots]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    kind: ListRootsKindType0 | None | Unset = UNSET,

) -> Response[HTTPValidationError | ListRootsResponseListRoots]:
    """ List Roots

     The V2G and MO root certificates the CSMS trusts (public certificates, with their PEM).

    Args:
        kind (ListRootsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListRootsResponseListRoots]
     """


    kwargs = _get_kwargs(
        kind=kind,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    kind: ListRootsKindType0 | None | Unset = UNSET,

) -> HTTPValidationError | ListRootsResponseListRoots | None:
    """ List Roots

     The V2G and MO root certificates the CSMS trusts (public certificates, with their PEM).

    Args:
        kind (ListRootsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListRootsResponseListRoots
     """


    return sync_detailed(
        client=client,
kind=kind,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    kind: ListRootsKindType0 | None | Unset = UNSET,

) -> Response[HTTPValidationError | ListRootsResponseListRoots]:
    """ List Roots

     The V2G and MO root certificates the CSMS trusts (public certificates, with their PEM).

    Args:
        kind (ListRootsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListRootsResponseListRoots]
     """


    kwargs = _get_kwargs(
        kind=kind,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    kind: ListRootsKindType0 | None | Unset = UNSET,

) -> HTTPValidationError | ListRootsResponseListRoots | None:
    """ List Roots

     The V2G and MO root certificates the CSMS trusts (public certificates, with their PEM).

    Args:
        kind (ListRootsKindType0 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListRootsResponseListRoots
     """


    return (await asyncio_detailed(
        client=client,
kind=kind,

    )).parsed
