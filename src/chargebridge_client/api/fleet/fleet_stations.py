from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.fleet_stations_order import FleetStationsOrder
from ...models.fleet_stations_response_fleet_stations import FleetStationsResponseFleetStations
from ...models.fleet_stations_sort import FleetStationsSort
from ...models.fleet_stations_state_type_0 import FleetStationsStateType0
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    q: None | str | Unset = UNSET,
    state: FleetStationsStateType0 | None | Unset = UNSET,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    ocpp_version: None | str | Unset = UNSET,
    unauthenticated: bool | None | Unset = UNSET,
    sort: FleetStationsSort | Unset = FleetStationsSort.ID,
    order: FleetStationsOrder | Unset = FleetStationsOrder.ASC,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    json_state: None | str | Unset
    if isinstance(state, Unset):
        json_state = UNSET
    elif isinstance(state, FleetStationsStateType0):
        json_state = state.value
    else:
        json_state = state
    params["state"] = json_state

    json_vendor: None | str | Unset
    if isinstance(vendor, Unset):
        json_vendor = UNSET
    else:
        json_vendor = vendor
    params["vendor"] = json_vendor

    json_model: None | str | Unset
    if isinstance(model, Unset):
        json_model = UNSET
    else:
        json_model = model
    params["model"] = json_model

    json_firmware_version: None | str | Unset
    if isinstance(firmware_version, Unset):
        json_firmware_version = UNSET
    else:
        json_firmware_version = firmware_version
    params["firmware_version"] = json_firmware_version

    json_ocpp_version: None | str | Unset
    if isinstance(ocpp_version, Unset):
        json_ocpp_version = UNSET
    else:
        json_ocpp_version = ocpp_version
    params["ocpp_version"] = json_ocpp_version

    json_unauthenticated: bool | None | Unset
    if isinstance(unauthenticated, Unset):
        json_unauthenticated = UNSET
    else:
        json_unauthenticated = unauthenticated
    params["unauthenticated"] = json_unauthenticated

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/fleet/stations",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> FleetStationsResponseFleetStations | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = FleetStationsResponseFleetStations.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[FleetStationsResponseFleetStations | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    q: None | str | Unset = UNSET,
    state: FleetStationsStateType0 | None | Unset = UNSET,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    ocpp_version: None | str | Unset = UNSET,
    unauthenticated: bool | None | Unset = UNSET,
    sort: FleetStationsSort | Unset = FleetStationsSort.ID,
    order: FleetStationsOrder | Unset = FleetStationsOrder.ASC,

) -> Response[FleetStationsResponseFleetStations | HTTPValidationError]:
    """ Fleet Stations

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        q (None | str | Unset):
        state (FleetStationsStateType0 | None | Unset):
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        ocpp_version (None | str | Unset):
        unauthenticated (bool | None | Unset):
        sort (FleetStationsSort | Unset):  Default: FleetStationsSort.ID.
        order (FleetStationsOrder | Unset):  Default: FleetStationsOrder.ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FleetStationsResponseFleetStations | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        limit=limit,
offset=offset,
q=q,
state=state,
vendor=vendor,
model=model,
firmware_version=firmware_version,
ocpp_version=ocpp_version,
unauthenticated=unauthenticated,
sort=sort,
order=order,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    q: None | str | Unset = UNSET,
    state: FleetStationsStateType0 | None | Unset = UNSET,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    ocpp_version: None | str | Unset = UNSET,
    unauthenticated: bool | None | Unset = UNSET,
    sort: FleetStationsSort | Unset = FleetStationsSort.ID,
    order: FleetStationsOrder | Unset = FleetStationsOrder.ASC,

) -> FleetStationsResponseFleetStations | HTTPValidationError | None:
    """ Fleet Stations

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        q (None | str | Unset):
        state (FleetStationsStateType0 | None | Unset):
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        ocpp_version (None | str | Unset):
        unauthenticated (bool | None | Unset):
        sort (FleetStationsSort | Unset):  Default: FleetStationsSort.ID.
        order (FleetStationsOrder | Unset):  Default: FleetStationsOrder.ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FleetStationsResponseFleetStations | HTTPValidationError
     """


    return sync_detailed(
        client=client,
limit=limit,
offset=offset,
q=q,
state=state,
vendor=vendor,
model=model,
firmware_version=firmware_version,
ocpp_version=ocpp_version,
unauthenticated=unauthenticated,
sort=sort,
order=order,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    q: None | str | Unset = UNSET,
    state: FleetStationsStateType0 | None | Unset = UNSET,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    ocpp_version: None | str | Unset = UNSET,
    unauthenticated: bool | None | Unset = UNSET,
    sort: FleetStationsSort | Unset = FleetStationsSort.ID,
    order: FleetStationsOrder | Unset = FleetStationsOrder.ASC,

) -> Response[FleetStationsResponseFleetStations | HTTPValidationError]:
    """ Fleet Stations

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        q (None | str | Unset):
        state (FleetStationsStateType0 | None | Unset):
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        ocpp_version (None | str | Unset):
        unauthenticated (bool | None | Unset):
        sort (FleetStationsSort | Unset):  Default: FleetStationsSort.ID.
        order (FleetStationsOrder | Unset):  Default: FleetStationsOrder.ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FleetStationsResponseFleetStations | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        limit=limit,
offset=offset,
q=q,
state=state,
vendor=vendor,
model=model,
firmware_version=firmware_version,
ocpp_version=ocpp_version,
unauthenticated=unauthenticated,
sort=sort,
order=order,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    q: None | str | Unset = UNSET,
    state: FleetStationsStateType0 | None | Unset = UNSET,
    vendor: None | str | Unset = UNSET,
    model: None | str | Unset = UNSET,
    firmware_version: None | str | Unset = UNSET,
    ocpp_version: None | str | Unset = UNSET,
    unauthenticated: bool | None | Unset = UNSET,
    sort: FleetStationsSort | Unset = FleetStationsSort.ID,
    order: FleetStationsOrder | Unset = FleetStationsOrder.ASC,

) -> FleetStationsResponseFleetStations | HTTPValidationError | None:
    """ Fleet Stations

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        q (None | str | Unset):
        state (FleetStationsStateType0 | None | Unset):
        vendor (None | str | Unset):
        model (None | str | Unset):
        firmware_version (None | str | Unset):
        ocpp_version (None | str | Unset):
        unauthenticated (bool | None | Unset):
        sort (FleetStationsSort | Unset):  Default: FleetStationsSort.ID.
        order (FleetStationsOrder | Unset):  Default: FleetStationsOrder.ASC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FleetStationsResponseFleetStations | HTTPValidationError
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
offset=offset,
q=q,
state=state,
vendor=vendor,
model=model,
firmware_version=firmware_version,
ocpp_version=ocpp_version,
unauthenticated=unauthenticated,
sort=sort,
order=order,

    )).parsed
