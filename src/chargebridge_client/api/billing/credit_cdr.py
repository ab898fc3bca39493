from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.credit_body import CreditBody
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    cdr_id: str,
    *,
    body: CreditBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/cdrs/{cdr_id}/credit".format(cdr_id=quote(str(cdr_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | HTTPValidationError | None:
    if response.status_code == 201:
        response_201 = response.json()
        return response_201

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    cdr_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditBody,

) -> Response[Any | HTTPValidationError]:
    """ Credit Cdr

     A CDR is immutable: a correction is a credit CDR (every amount negated) referencing it.

    Args:
        cdr_id (str):
        body (CreditBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        cdr_id=cdr_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    cdr_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditBody,

) -> Any | HTTPValidationError | None:
    """ Credit Cdr

     A CDR is immutable: a correction is a credit CDR (every amount negated) referencing it.

    Args:
        cdr_id (str):
        body (CreditBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return sync_detailed(
        cdr_id=cdr_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    cdr_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditBody,

) -> Response[Any | HTTPValidationError]:
    """ Credit Cdr

     A CDR is immutable: a correction is a credit CDR (every amount negated) referencing it.

    Args:
        cdr_id (str):
        body (CreditBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        cdr_id=cdr_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    cdr_id: str,
    *,
    client: AuthenticatedClient,
    body: CreditBody,

) -> Any | HTTPValidationError | None:
    """ Credit Cdr

     A CDR is immutable: a correction is a credit CDR (every amount negated) referencing it.

    Args:
        cdr_id (str):
        body (CreditBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HTTPValidationError
     """


    return (await asyncio_detailed(
        cdr_id=cdr_id,
client=client,
body=body,

    )).parsed
