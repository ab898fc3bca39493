from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.get_edge_response_get_edge import GetEdgeResponseGetEdge
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    edge_id: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/edges/{edge_id}".format(edge_id=quote(str(edge_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> GetEdgeResponseGetEdge | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = GetEdgeResponseGetEdge.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[GetEdgeResponseGetEdge | HTTPValidationError]:
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

) -> Response[GetEdgeResponseGetEdge | HTTPValidationError]:
    """ Get Edge

     One edge with its devices: reachability, last good read, error counters, active faults.

    Args:
        edge_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetEdgeResponseGetEdge | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    edge_id: str,
    *,
    client: AuthenticatedClient,

) -> GetEdgeResponseGetEdge | HTTPValidationError | None:
    """ Get Edge

     One edge with its devices: reachability, last good read, error counters, active faults.

    Args:
        edge_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetEdgeResponseGetEdge | HTTPValidationError
     """


    return sync_detailed(
        edge_id=edge_id,
client=client,

    ).parsed

async def asyncio_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[GetEdgeResponseGetEdge | HTTPValidationError]:
    """ Get Edge

     One edge with its devices: reachability, last good read, error counters, active faults.

    Args:
        edge_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetEdgeResponseGetEdge | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    edge_id: str,
    *,
    client: AuthenticatedClient,

) -> GetEdgeResponseGetEdge | HTTPValidationError | None:
    """ Get Edge

     One edge with its devices: reachability, last good read, error counters, active faults.

    Args:
        edge_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetEdgeResponseGetEdge | HTTPValidationError
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
client=client,

    )).parsed
