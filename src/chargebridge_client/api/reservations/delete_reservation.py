from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.delete_reservation_response_delete_reservation import DeleteReservationResponseDeleteReservation
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    station_id: str,
    reservation_id: int,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/stations/{station_id}/reservations/{reservation_id}".format(station_id=quote(str(station_id), safe=""),reservation_id=quote(str(reservation_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DeleteReservationResponseDeleteReservation | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = DeleteReservationResponseDeleteReservation.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DeleteReservationResponseDeleteReservation | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    station_id: str,
    reservation_id: int,
    *,
    client: AuthenticatedClient,

) -> Response[DeleteReservationResponseDeleteReservation | HTTPValidationError]:
    """ Delete Reservation

     The same as POST .../cancel (the record stays, state ``cancelled``).

    Args:
        station_id (str):
        reservation_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteReservationResponseDeleteReservation | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
reservation_id=reservation_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    reservation_id: int,
    *,
    client: AuthenticatedClient,

) -> DeleteReservationResponseDeleteReservation | HTTPValidationError | None:
    """ Delete Reservation

     The same as POST .../cancel (the record stays, state ``cancelled``).

    Args:
        station_id (str):
        reservation_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteReservationResponseDeleteReservation | HTTPValidationError
     """


    return sync_detailed(
        station_id=station_id,
reservation_id=reservation_id,
client=client,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    reservation_id: int,
    *,
    client: AuthenticatedClient,

) -> Response[DeleteReservationResponseDeleteReservation | HTTPValidationError]:
    """ Delete Reservation

     The same as POST .../cancel (the record stays, state ``cancelled``).

    Args:
        station_id (str):
        reservation_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteReservationResponseDeleteReservation | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
reservation_id=reservation_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    reservation_id: int,
    *,
    client: AuthenticatedClient,

) -> DeleteReservationResponseDeleteReservation | HTTPValidationError | None:
    """ Delete Reservation

     The same as POST .../cancel (the record stays, state ``cancelled``).

    Args:
        station_id (str):
        reservation_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteReservationResponseDeleteReservation | HTTPValidationError
     """


    return (await asyncio_detailed(
        station_id=station_id,
reservation_id=reservation_id,
client=client,

    )).parsed
