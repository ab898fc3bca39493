from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.clear_charging_profiles_purpose_type_0 import ClearChargingProfilesPurposeType0
from ...models.clear_charging_profiles_response_clear_charging_profiles import ClearChargingProfilesResponseClearChargingProfiles
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    evse_id: int | None | Unset = UNSET,
    purpose: ClearChargingProfilesPurposeType0 | None | Unset = UNSET,
    stack_level: int | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_evse_id: int | None | Unset
    if isinstance(evse_id, Unset):
        json_evse_id = UNSET
    else:
        json_evse_id = evse_id
    params["evse_id"] = json_evse_id

    json_purpose: None | str | Unset
    if isinstance(purpose, Unset):
        json_purpose = UNSET
    elif isinstance(purpose, ClearChargingProfilesPurposeType0):
        json_purpose = purpose.value
    else:
        json_purpose = purpose
    params["purpose"] = json_purpose

    json_stack_level: int | None | Unset
    if isinstance(stack_level, Unset):
        json_stack_level = UNSET
    else:
        json_stack_level = stack_level
    params["stack_level"] = json_stack_level


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/stations/{station_id}/charging-profiles".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = ClearChargingProfilesResponseClearChargingProfiles.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError]:
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
    evse_id: int | None | Unset = UNSET,
    purpose: ClearChargingProfilesPurposeType0 | None | Unset = UNSET,
    stack_level: int | None | Unset = UNSET,

) -> Response[ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError]:
    """ Clear Charging Profiles

     ClearChargingProfile by criteria (all given must match; none: every profile).

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ClearChargingProfilesPurposeType0 | None | Unset):
        stack_level (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
evse_id=evse_id,
purpose=purpose,
stack_level=stack_level,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    evse_id: int | None | Unset = UNSET,
    purpose: ClearChargingProfilesPurposeType0 | None | Unset = UNSET,
    stack_level: int | None | Unset = UNSET,

) -> ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError | None:
    """ Clear Charging Profiles

     ClearChargingProfile by criteria (all given must match; none: every profile).

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ClearChargingProfilesPurposeType0 | None | Unset):
        stack_level (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError
     """


    return sync_detailed(
        station_id=station_id,
client=client,
evse_id=evse_id,
purpose=purpose,
stack_level=stack_level,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    evse_id: int | None | Unset = UNSET,
    purpose: ClearChargingProfilesPurposeType0 | None | Unset = UNSET,
    stack_level: int | None | Unset = UNSET,

) -> Response[ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError]:
    """ Clear Charging Profiles

     ClearChargingProfile by criteria (all given must match; none: every profile).

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ClearChargingProfilesPurposeType0 | None | Unset):
        stack_level (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
evse_id=evse_id,
purpose=purpose,
stack_level=stack_level,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    evse_id: int | None | Unset = UNSET,
    purpose: ClearChargingProfilesPurposeType0 | None | Unset = UNSET,
    stack_level: int | None | Unset = UNSET,

) -> ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError | None:
    """ Clear Charging Profiles

     ClearChargingProfile by criteria (all given must match; none: every profile).

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ClearChargingProfilesPurposeType0 | None | Unset):
        stack_level (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClearChargingProfilesResponseClearChargingProfiles | HTTPValidationError
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
evse_id=evse_id,
purpose=purpose,
stack_level=stack_level,

    )).parsed
