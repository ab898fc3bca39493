from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.samples_response_200_item import SamplesResponse200Item
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    edge_id: str,
    *,
    device: None | str | Unset = UNSET,
    limit: int | Unset = 100,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_device: None | str | Unset
    if isinstance(device, Unset):
        json_device = UNSET
    else:
        json_device = device
    params["device"] = json_device

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/edges/{edge_id}/samples".format(edge_id=quote(str(edge_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | list[SamplesResponse200Item] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = SamplesResponse200Item.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | list[SamplesResponse200Item]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    device: None | str | Unset = UNSET,
    limit: int | Unset = 100,

) -> Response[HTTPValidationError | list[SamplesResponse200Item]]:
    """ Samples

     The edge's latest samples (newest first).

    Args:
        edge_id (str):
        device (None | str | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[SamplesResponse200Item]]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
device=device,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    device: None | str | Unset = UNSET,
    limit: int | Unset = 100,

) -> HTTPValidationError | list[SamplesResponse200Item] | None:
    """ Samples

     The edge's latest samples (newest first).

    Args:
        edge_id (str):
        device (None | str | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[SamplesResponse200Item]
     """


    return sync_detailed(
        edge_id=edge_id,
client=client,
device=device,
limit=limit,

    ).parsed

async def asyncio_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    device: None | str | Unset = UNSET,
    limit: int | Unset = 100,

) -> Response[HTTPValidationError | list[SamplesResponse200Item]]:
    """ Samples

     The edge's latest samples (newest first).

    Args:
        edge_id (str):
        device (None | str | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[SamplesResponse200Item]]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
device=device,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    device: None | str | Unset = UNSET,
    limit: int | Unset = 100,

) -> HTTPValidationError | list[SamplesResponse200Item] | None:
    """ Samples

     The edge's latest samples (newest first).

    Args:
        edge_id (str):
        device (None | str | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[SamplesResponse200Item]
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
client=client,
device=device,
limit=limit,

    )).parsed
