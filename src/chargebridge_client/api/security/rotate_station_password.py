from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.password_rotation import PasswordRotation
from ...models.rotate_station_password_response_rotate_station_password import RotateStationPasswordResponseRotateStationPassword
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    body: None | PasswordRotation | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/stations/{station_id}/password".format(station_id=quote(str(station_id), safe=""),),
    }

    
    if isinstance(body, PasswordRotation):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | RotateStationPasswordResponseRotateStationPassword | None:
    if response.status_code == 200:
        response_200 = RotateStationPasswordResponseRotateStationPassword.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | RotateStationPasswordResponseRotateStationPassword]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: None | PasswordRotation | Unset = UNSET,

) -> Response[HTTPValidationError | RotateStationPasswordResponseRotateStationPassword]:
    """ Rotate Station Password

     Send a connected station at security profile 1 or 2 a new password (1.6 ChangeConfiguration
    AuthorizationKey, 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword). When it accepts, the
    old password keeps working until the station logs in with the new one. The new password is in
    this answer only (never in the audit log). 409 when the station is offline, not at profile 1
    or 2, or refuses (nothing changed); 504/502 when its answer is unknown (see ``pending``).

    Args:
        station_id (str):
        body (None | PasswordRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RotateStationPasswordResponseRotateStationPassword]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: None | PasswordRotation | Unset = UNSET,

) -> HTTPValidationError | RotateStationPasswordResponseRotateStationPassword | None:
    """ Rotate Station Password

     Send a connected station at security profile 1 or 2 a new password (1.6 ChangeConfiguration
    AuthorizationKey, 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword). When it accepts, the
    old password keeps working until the station logs in with the new one. The new password is in
    this answer only (never in the audit log). 409 when the station is offline, not at profile 1
    or 2, or refuses (nothing changed); 504/502 when its answer is unknown (see ``pending``).

    Args:
        station_id (str):
        body (None | PasswordRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RotateStationPasswordResponseRotateStationPassword
     """


    return sync_detailed(
        station_id=station_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: None | PasswordRotation | Unset = UNSET,

) -> Response[HTTPValidationError | RotateStationPasswordResponseRotateStationPassword]:
    """ Rotate Station Password

     Send a connected station at security profile 1 or 2 a new password (1.6 ChangeConfiguration
    AuthorizationKey, 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword). When it accepts, the
    old password keeps working until the station logs in with the new one. The new password is in
    this answer only (never in the audit log). 409 when the station is offline, not at profile 1
    or 2, or refuses (nothing changed); 504/502 when its answer is unknown (see ``pending``).

    Args:
        station_id (str):
        body (None | PasswordRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RotateStationPasswordResponseRotateStationPassword]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    body: None | PasswordRotation | Unset = UNSET,

) -> HTTPValidationError | RotateStationPasswordResponseRotateStationPassword | None:
    """ Rotate Station Password

     Send a connected station at security profile 1 or 2 a new password (1.6 ChangeConfiguration
    AuthorizationKey, 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword). When it accepts, the
    old password keeps working until the station logs in with the new one. The new password is in
    this answer only (never in the audit log). 409 when the station is offline, not at profile 1
    or 2, or refuses (nothing changed); 504/502 when its answer is unknown (see ``pending``).

    Args:
        station_id (str):
        body (None | PasswordRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RotateStationPasswordResponseRotateStationPassword
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
body=body,

    )).parsed
