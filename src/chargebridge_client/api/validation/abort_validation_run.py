from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.abort_validation_run_response_abort_validation_run import AbortValidationRunResponseAbortValidationRun
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    run_id: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/validation-runs/{run_id}/abort".format(run_id=quote(str(run_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AbortValidationRunResponseAbortValidationRun | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = AbortValidationRunResponseAbortValidationRun.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AbortValidationRunResponseAbortValidationRun | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[AbortValidationRunResponseAbortValidationRun | HTTPValidationError]:
    """ Abort Validation Run

     Stop a running run: its cases stop, the station is put back, the run ends aborted.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AbortValidationRunResponseAbortValidationRun | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        run_id=run_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    run_id: str,
    *,
    client: AuthenticatedClient,

) -> AbortValidationRunResponseAbortValidationRun | HTTPValidationError | None:
    """ Abort Validation Run

     Stop a running run: its cases stop, the station is put back, the run ends aborted.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AbortValidationRunResponseAbortValidationRun | HTTPValidationError
     """


    return sync_detailed(
        run_id=run_id,
client=client,

    ).parsed

async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[AbortValidationRunResponseAbortValidationRun | HTTPValidationError]:
    """ Abort Validation Run

     Stop a running run: its cases stop, the station is put back, the run ends aborted.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AbortValidationRunResponseAbortValidationRun | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        run_id=run_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient,

) -> AbortValidationRunResponseAbortValidationRun | HTTPValidationError | None:
    """ Abort Validation Run

     Stop a running run: its cases stop, the station is put back, the run ends aborted.

    Args:
        run_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AbortValidationRunResponseAbortValidationRun | HTTPValidationError
     """


    return (await asyncio_detailed(
        run_id=run_id,
client=client,

    )).parsed
