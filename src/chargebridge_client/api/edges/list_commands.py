from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_commands_response_200_item import ListCommandsResponse200Item
from ...models.list_commands_state import ListCommandsState
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    edge_id: str,
    *,
    state: ListCommandsState | Unset = ListCommandsState.ALL,
    wait_s: float | Unset = 0.0,
    limit: int | Unset = 50,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params["wait_s"] = wait_s

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/edges/{edge_id}/commands".format(edge_id=quote(str(edge_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | list[ListCommandsResponse200Item] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = ListCommandsResponse200Item.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | list[ListCommandsResponse200Item]]:
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
    state: ListCommandsState | Unset = ListCommandsState.ALL,
    wait_s: float | Unset = 0.0,
    limit: int | Unset = 50,

) -> Response[HTTPValidationError | list[ListCommandsResponse200Item]]:
    """ List Commands

     The edge's commands, newest first; ``state=pending`` (oldest first) with ``wait_s`` is the
    edge's long poll.

    Args:
        edge_id (str):
        state (ListCommandsState | Unset):  Default: ListCommandsState.ALL.
        wait_s (float | Unset):  Default: 0.0.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[ListCommandsResponse200Item]]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
state=state,
wait_s=wait_s,
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
    state: ListCommandsState | Unset = ListCommandsState.ALL,
    wait_s: float | Unset = 0.0,
    limit: int | Unset = 50,

) -> HTTPValidationError | list[ListCommandsResponse200Item] | None:
    """ List Commands

     The edge's commands, newest first; ``state=pending`` (oldest first) with ``wait_s`` is the
    edge's long poll.

    Args:
        edge_id (str):
        state (ListCommandsState | Unset):  Default: ListCommandsState.ALL.
        wait_s (float | Unset):  Default: 0.0.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[ListCommandsResponse200Item]
     """


    return sync_detailed(
        edge_id=edge_id,
client=client,
state=state,
wait_s=wait_s,
limit=limit,

    ).parsed

async def asyncio_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    state: ListCommandsState | Unset = ListCommandsState.ALL,
    wait_s: float | Unset = 0.0,
    limit: int | Unset = 50,

) -> Response[HTTPValidationError | list[ListCommandsResponse200Item]]:
    """ List Commands

     The edge's commands, newest first; ``state=pending`` (oldest first) with ``wait_s`` is the
    edge's long poll.

    Args:
        edge_id (str):
        state (ListCommandsState | Unset):  Default: ListCommandsState.ALL.
        wait_s (float | Unset):  Default: 0.0.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | list[ListCommandsResponse200Item]]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
state=state,
wait_s=wait_s,
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
    state: ListCommandsState | Unset = ListCommandsState.ALL,
    wait_s: float | Unset = 0.0,
    limit: int | Unset = 50,

) -> HTTPValidationError | list[ListCommandsResponse200Item] | None:
    """ List Commands

     The edge's commands, newest first; ``state=pending`` (oldest first) with ``wait_s`` is the
    edge's long poll.

    Args:
        edge_id (str):
        state (ListCommandsState | Unset):  Default: ListCommandsState.ALL.
        wait_s (float | Unset):  Default: 0.0.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | list[ListCommandsResponse200Item]
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
client=client,
state=state,
wait_s=wait_s,
limit=limit,

    )).parsed
