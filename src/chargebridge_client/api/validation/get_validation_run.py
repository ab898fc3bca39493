from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.get_validation_run_response_get_validation_run import GetValidationRunResponseGetValidationRun
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    run_id: str,
    *,
    evidence: bool | Unset = True,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["evidence"] = evidence


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/validation-runs/{run_id}".format(run_id=quote(str(run_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> GetValidationRunResponseGetValidationRun | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = GetValidationRunResponseGetValidationRun.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[GetValidationRunResponseGetValidationRun | HTTPValidationError]:
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
    evidence: bool | Unset = True,

) -> Response[GetValidationRunResponseGetValidationRun | HTTPValidationError]:
    """ Get Validation Run

     The run and its report: cases with their evidence (the frames exchanged), latency per
    command, quirks, restoration, the prompt for the person at the station while one is open.
    ``evidence=false`` leaves the frames out (``evidence_entries`` counts them): for polling.

    Args:
        run_id (str):
        evidence (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetValidationRunResponseGetValidationRun | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        run_id=run_id,
evidence=evidence,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    run_id: str,
    *,
    client: AuthenticatedClient,
    evidence: bool | Unset = True,

) -> GetValidationRunResponseGetValidationRun | HTTPValidationError | None:
    """ Get Validation Run

     The run and its report: cases with their evidence (the frames exchanged), latency per
    command, quirks, restoration, the prompt for the person at the station while one is open.
    ``evidence=false`` leaves the frames out (``evidence_entries`` counts them): for polling.

    Args:
        run_id (str):
        evidence (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetValidationRunResponseGetValidationRun | HTTPValidationError
     """


    return sync_detailed(
        run_id=run_id,
client=client,
evidence=evidence,

    ).parsed

async def asyncio_detailed(
    run_id: str,
    *,
    client: AuthenticatedClient,
    evidence: bool | Unset = True,

) -> Response[GetValidationRunResponseGetValidationRun | HTTPValidationError]:
    """ Get Validation Run

     The run and its report: cases with their evidence (the frames exchanged), latency per
    command, quirks, restoration, the prompt for the person at the station while one is open.
    ``evidence=false`` leaves the frames out (``evidence_entries`` counts them): for polling.

    Args:
        run_id (str):
        evidence (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetValidationRunResponseGetValidationRun | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        run_id=run_id,
evidence=evidence,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    run_id: str,
    *,
    client: AuthenticatedClient,
    evidence: bool | Unset = True,

) -> GetValidationRunResponseGetValidationRun | HTTPValidationError | None:
    """ Get Validation Run

     The run and its report: cases with their evidence (the frames exchanged), latency per
    command, quirks, restoration, the prompt for the person at the station while one is open.
    ``evidence=false`` leaves the frames out (``evidence_entries`` counts them): for polling.

    Args:
        run_id (str):
        evidence (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetValidationRunResponseGetValidationRun | HTTPValidationError
     """


    return (await asyncio_detailed(
        run_id=run_id,
client=client,
evidence=evidence,

    )).parsed
