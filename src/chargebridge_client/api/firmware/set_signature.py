from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.set_signature_response_set_signature import SetSignatureResponseSetSignature
from ...models.signature_body import SignatureBody
from typing import cast



def _get_kwargs(
    image_id: str,
    *,
    body: SignatureBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/firmware/images/{image_id}/signature".format(image_id=quote(str(image_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | SetSignatureResponseSetSignature | None:
    if response.status_code == 200:
        response_200 = SetSignatureResponseSetSignature.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | SetSignatureResponseSetSignature]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    image_id: str,
    *,
    client: AuthenticatedClient,
    body: SignatureBody,

) -> Response[HTTPValidationError | SetSignatureResponseSetSignature]:
    """ Set Signature

     Record an OEM's signature and signing certificate as given (replaces chargebridge's).

    Args:
        image_id (str):
        body (SignatureBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | SetSignatureResponseSetSignature]
     """


    kwargs = _get_kwargs(
        image_id=image_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    image_id: str,
    *,
    client: AuthenticatedClient,
    body: SignatureBody,

) -> HTTPValidationError | SetSignatureResponseSetSignature | None:
    """ Set Signature

     Record an OEM's signature and signing certificate as given (replaces chargebridge's).

    Args:
        image_id (str):
        body (SignatureBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | SetSignatureResponseSetSignature
     """


    return sync_detailed(
        image_id=image_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    image_id: str,
    *,
    client: AuthenticatedClient,
    body: SignatureBody,

) -> Response[HTTPValidationError | SetSignatureResponseSetSignature]:
    """ Set Signature

     Record an OEM's signature and signing certificate as given (replaces chargebridge's).

    Args:
        image_id (str):
        body (SignatureBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | SetSignatureResponseSetSignature]
     """


    kwargs = _get_kwargs(
        image_id=image_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    image_id: str,
    *,
    client: AuthenticatedClient,
    body: SignatureBody,

) -> HTTPValidationError | SetSignatureResponseSetSignature | None:
    """ Set Signature

     Record an OEM's signature and signing certificate as given (replaces chargebridge's).

    Args:
        image_id (str):
        body (SignatureBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | SetSignatureResponseSetSignature
     """


    return (await asyncio_detailed(
        image_id=image_id,
client=client,
body=body,

    )).parsed
