from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.customer_information_log_response_customer_information_log import CustomerInformationLogResponseCustomerInformationLog
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    customer_identifier: None | str | Unset = UNSET,
    id_token: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_customer_identifier: None | str | Unset
    if isinstance(customer_identifier, Unset):
        json_customer_identifier = UNSET
    else:
        json_customer_identifier = customer_identifier
    params["customer_identifier"] = json_customer_identifier

    json_id_token: None | str | Unset
    if isinstance(id_token, Unset):
        json_id_token = UNSET
    else:
        json_id_token = id_token
    params["id_token"] = json_id_token

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/customer-information",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = CustomerInformationLogResponseCustomerInformationLog.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    customer_identifier: None | str | Unset = UNSET,
    id_token: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError]:
    """ Customer Information Log

     The data-protection log of every station, optionally for one customer.

    Args:
        customer_identifier (None | str | Unset):
        id_token (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        customer_identifier=customer_identifier,
id_token=id_token,
limit=limit,
offset=offset,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    customer_identifier: None | str | Unset = UNSET,
    id_token: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError | None:
    """ Customer Information Log

     The data-protection log of every station, optionally for one customer.

    Args:
        customer_identifier (None | str | Unset):
        id_token (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError
     """


    return sync_detailed(
        client=client,
customer_identifier=customer_identifier,
id_token=id_token,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    customer_identifier: None | str | Unset = UNSET,
    id_token: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> Response[CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError]:
    """ Customer Information Log

     The data-protection log of every station, optionally for one customer.

    Args:
        customer_identifier (None | str | Unset):
        id_token (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        customer_identifier=customer_identifier,
id_token=id_token,
limit=limit,
offset=offset,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    customer_identifier: None | str | Unset = UNSET,
    id_token: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    offset: int | Unset = 0,

) -> CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError | None:
    """ Customer Information Log

     The data-protection log of every station, optionally for one customer.

    Args:
        customer_identifier (None | str | Unset):
        id_token (None | str | Unset):
        limit (int | Unset):  Default: 100.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerInformationLogResponseCustomerInformationLog | HTTPValidationError
     """


    return (await asyncio_detailed(
        client=client,
customer_identifier=customer_identifier,
id_token=id_token,
limit=limit,
offset=offset,

    )).parsed
