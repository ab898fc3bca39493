from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.list_charging_profiles_purpose_type_0 import ListChargingProfilesPurposeType0
from ...models.list_charging_profiles_response_list_charging_profiles import ListChargingProfilesResponseListChargingProfiles
from ...types import UNSET, Unset
from typing import cast
from typing import Literal, cast



def _get_kwargs(
    station_id: str,
    *,
    evse_id: int | None | Unset = UNSET,
    purpose: ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints'] | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_evse_id: int | None | Unset
    if isinstance(evse_id, Unset):
        json_evse_id = UNSET
    else:
        json_evse_id = evse_id
    params["evse_id"] = json_evse_id

    json_purpose: Literal['ChargingStationExternalConstraints'] | None | str | Unset
    if isinstance(purpose, Unset):
        json_purpose = UNSET
    elif isinstance(purpose, ListChargingProfilesPurposeType0):
        json_purpose = purpose.value
    else:
        json_purpose = purpose
    params["purpose"] = json_purpose


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations/{station_id}/charging-profiles".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ListChargingProfilesResponseListChargingProfiles | None:
    if response.status_code == 200:
        response_200 = ListChargingProfilesResponseListChargingProfiles.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ListChargingProfilesResponseListChargingProfiles]:
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
    purpose: ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints'] | None | Unset = UNSET,

) -> Response[HTTPValidationError | ListChargingProfilesResponseListChargingProfiles]:
    """ List Charging Profiles

     The profiles the station holds, as far as the CSMS knows: accepted or reported.

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints']
            | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListChargingProfilesResponseListChargingProfiles]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
evse_id=evse_id,
purpose=purpose,

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
    purpose: ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints'] | None | Unset = UNSET,

) -> HTTPValidationError | ListChargingProfilesResponseListChargingProfiles | None:
    """ List Charging Profiles

     The profiles the station holds, as far as the CSMS knows: accepted or reported.

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints']
            | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListChargingProfilesResponseListChargingProfiles
     """


    return sync_detailed(
        station_id=station_id,
client=client,
evse_id=evse_id,
purpose=purpose,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    evse_id: int | None | Unset = UNSET,
    purpose: ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints'] | None | Unset = UNSET,

) -> Response[HTTPValidationError | ListChargingProfilesResponseListChargingProfiles]:
    """ List Charging Profiles

     The profiles the station holds, as far as the CSMS knows: accepted or reported.

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints']
            | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ListChargingProfilesResponseListChargingProfiles]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
evse_id=evse_id,
purpose=purpose,

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
    purpose: ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints'] | None | Unset = UNSET,

) -> HTTPValidationError | ListChargingProfilesResponseListChargingProfiles | None:
    """ List Charging Profiles

     The profiles the station holds, as far as the CSMS knows: accepted or reported.

    Args:
        station_id (str):
        evse_id (int | None | Unset):
        purpose (ListChargingProfilesPurposeType0 | Literal['ChargingStationExternalConstraints']
            | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ListChargingProfilesResponseListChargingProfiles
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
evse_id=evse_id,
purpose=purpose,

    )).parsed
