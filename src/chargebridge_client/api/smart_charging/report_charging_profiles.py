from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.report_charging_profiles_body_type_0 import ReportChargingProfilesBodyType0
from ...models.report_charging_profiles_response_report_charging_profiles import ReportChargingProfilesResponseReportChargingProfiles
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    body: None | ReportChargingProfilesBodyType0 | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/stations/{station_id}/charging-profiles/report".format(station_id=quote(str(station_id), safe=""),),
    }

    
    if isinstance(body, ReportChargingProfilesBodyType0):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles | None:
    if response.status_code == 200:
        response_200 = ReportChargingProfilesResponseReportChargingProfiles.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles]:
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
    body: None | ReportChargingProfilesBodyType0 | Unset = UNSET,

) -> Response[HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles]:
    """ Report Charging Profiles

     GetChargingProfiles (2.0.1; a 1.6 station cannot report its profiles: 422) and the
    profiles its ReportChargingProfiles listed; the store is brought in line with them.

    Args:
        station_id (str):
        body (None | ReportChargingProfilesBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles]
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
    body: None | ReportChargingProfilesBodyType0 | Unset = UNSET,

) -> HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles | None:
    """ Report Charging Profiles

     GetChargingProfiles (2.0.1; a 1.6 station cannot report its profiles: 422) and the
    profiles its ReportChargingProfiles listed; the store is brought in line with them.

    Args:
        station_id (str):
        body (None | ReportChargingProfilesBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles
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
    body: None | ReportChargingProfilesBodyType0 | Unset = UNSET,

) -> Response[HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles]:
    """ Report Charging Profiles

     GetChargingProfiles (2.0.1; a 1.6 station cannot report its profiles: 422) and the
    profiles its ReportChargingProfiles listed; the store is brought in line with them.

    Args:
        station_id (str):
        body (None | ReportChargingProfilesBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles]
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
    body: None | ReportChargingProfilesBodyType0 | Unset = UNSET,

) -> HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles | None:
    """ Report Charging Profiles

     GetChargingProfiles (2.0.1; a 1.6 station cannot report its profiles: 422) and the
    profiles its ReportChargingProfiles listed; the store is brought in line with them.

    Args:
        station_id (str):
        body (None | ReportChargingProfilesBodyType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | ReportChargingProfilesResponseReportChargingProfiles
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
body=body,

    )).parsed
