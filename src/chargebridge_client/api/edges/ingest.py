from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.batch import Batch
from ...models.batch_answer import BatchAnswer
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    edge_id: str,
    *,
    body: Batch,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/edges/{edge_id}/batches".format(edge_id=quote(str(edge_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BatchAnswer | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = BatchAnswer.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[BatchAnswer | HTTPValidationError]:
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
    body: Batch,

) -> Response[BatchAnswer | HTTPValidationError]:
    """ Ingest

     An edge's batch of records; idempotent by (edge id, seq). Answers how far it is applied.

    Args:
        edge_id (str):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchAnswer | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: Batch,

) -> BatchAnswer | HTTPValidationError | None:
    """ Ingest

     An edge's batch of records; idempotent by (edge id, seq). Answers how far it is applied.

    Args:
        edge_id (str):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchAnswer | HTTPValidationError
     """


    return sync_detailed(
        edge_id=edge_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: Batch,

) -> Response[BatchAnswer | HTTPValidationError]:
    """ Ingest

     An edge's batch of records; idempotent by (edge id, seq). Answers how far it is applied.

    Args:
        edge_id (str):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchAnswer | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        edge_id=edge_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    edge_id: str,
    *,
    client: AuthenticatedClient,
    body: Batch,

) -> BatchAnswer | HTTPValidationError | None:
    """ Ingest

     An edge's batch of records; idempotent by (edge id, seq). Answers how far it is applied.

    Args:
        edge_id (str):
        body (Batch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchAnswer | HTTPValidationError
     """


    return (await asyncio_detailed(
        edge_id=edge_id,
client=client,
body=body,

    )).parsed
