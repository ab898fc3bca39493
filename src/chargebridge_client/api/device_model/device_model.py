from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.device_model_attribute_type_0 import DeviceModelAttributeType0
from ...models.device_model_mutability_type_0 import DeviceModelMutabilityType0
from ...models.device_model_response_device_model import DeviceModelResponseDeviceModel
from ...models.http_validation_error import HTTPValidationError
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    station_id: str,
    *,
    component: None | str | Unset = UNSET,
    component_instance: None | str | Unset = UNSET,
    evse_id: int | None | Unset = UNSET,
    connector_id: int | None | Unset = UNSET,
    variable: None | str | Unset = UNSET,
    variable_instance: None | str | Unset = UNSET,
    attribute: DeviceModelAttributeType0 | None | Unset = UNSET,
    mutability: DeviceModelMutabilityType0 | None | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_component: None | str | Unset
    if isinstance(component, Unset):
        json_component = UNSET
    else:
        json_component = component
    params["component"] = json_component

    json_component_instance: None | str | Unset
    if isinstance(component_instance, Unset):
        json_component_instance = UNSET
    else:
        json_component_instance = component_instance
    params["component_instance"] = json_component_instance

    json_evse_id: int | None | Unset
    if isinstance(evse_id, Unset):
        json_evse_id = UNSET
    else:
        json_evse_id = evse_id
    params["evse_id"] = json_evse_id

    json_connector_id: int | None | Unset
    if isinstance(connector_id, Unset):
        json_connector_id = UNSET
    else:
        json_connector_id = connector_id
    params["connector_id"] = json_connector_id

    json_variable: None | str | Unset
    if isinstance(variable, Unset):
        json_variable = UNSET
    else:
        json_variable = variable
    params["variable"] = json_variable

    json_variable_instance: None | str | Unset
    if isinstance(variable_instance, Unset):
        json_variable_instance = UNSET
    else:
        json_variable_instance = variable_instance
    params["variable_instance"] = json_variable_instance

    json_attribute: None | str | Unset
    if isinstance(attribute, Unset):
        json_attribute = UNSET
    elif isinstance(attribute, DeviceModelAttributeType0):
        json_attribute = attribute.value
    else:
        json_attribute = attribute
    params["attribute"] = json_attribute

    json_mutability: None | str | Unset
    if isinstance(mutability, Unset):
        json_mutability = UNSET
    elif isinstance(mutability, DeviceModelMutabilityType0):
        json_mutability = mutability.value
    else:
        json_mutability = mutability
    params["mutability"] = json_mutability

    params["limit"] = limit

    params["offset"] = offset


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/stations/{station_id}/device-model".format(station_id=quote(str(station_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DeviceModelResponseDeviceModel | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = DeviceModelResponseDeviceModel.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DeviceModelResponseDeviceModel | HTTPValidationError]:
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
    component: None | str | Unset = UNSET,
    component_instance: None | str | Unset = UNSET,
    evse_id: int | None | Unset = UNSET,
    connector_id: int | None | Unset = UNSET,
    variable: None | str | Unset = UNSET,
    variable_instance: None | str | Unset = UNSET,
    attribute: DeviceModelAttributeType0 | None | Unset = UNSET,
    mutability: DeviceModelMutabilityType0 | None | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> Response[DeviceModelResponseDeviceModel | HTTPValidationError]:
    """ Device Model

     The stored inventory, one item per variable attribute, filtered (exact matches).

    Args:
        station_id (str):
        component (None | str | Unset): "" = 1.6 configuration keys
        component_instance (None | str | Unset):
        evse_id (int | None | Unset):
        connector_id (int | None | Unset):
        variable (None | str | Unset):
        variable_instance (None | str | Unset):
        attribute (DeviceModelAttributeType0 | None | Unset):
        mutability (DeviceModelMutabilityType0 | None | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeviceModelResponseDeviceModel | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
component=component,
component_instance=component_instance,
evse_id=evse_id,
connector_id=connector_id,
variable=variable,
variable_instance=variable_instance,
attribute=attribute,
mutability=mutability,
limit=limit,
offset=offset,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    station_id: str,
    *,
    client: AuthenticatedClient,
    component: None | str | Unset = UNSET,
    component_instance: None | str | Unset = UNSET,
    evse_id: int | None | Unset = UNSET,
    connector_id: int | None | Unset = UNSET,
    variable: None | str | Unset = UNSET,
    variable_instance: None | str | Unset = UNSET,
    attribute: DeviceModelAttributeType0 | None | Unset = UNSET,
    mutability: DeviceModelMutabilityType0 | None | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> DeviceModelResponseDeviceModel | HTTPValidationError | None:
    """ Device Model

     The stored inventory, one item per variable attribute, filtered (exact matches).

    Args:
        station_id (str):
        component (None | str | Unset): "" = 1.6 configuration keys
        component_instance (None | str | Unset):
        evse_id (int | None | Unset):
        connector_id (int | None | Unset):
        variable (None | str | Unset):
        variable_instance (None | str | Unset):
        attribute (DeviceModelAttributeType0 | None | Unset):
        mutability (DeviceModelMutabilityType0 | None | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeviceModelResponseDeviceModel | HTTPValidationError
     """


    return sync_detailed(
        station_id=station_id,
client=client,
component=component,
component_instance=component_instance,
evse_id=evse_id,
connector_id=connector_id,
variable=variable,
variable_instance=variable_instance,
attribute=attribute,
mutability=mutability,
limit=limit,
offset=offset,

    ).parsed

async def asyncio_detailed(
    station_id: str,
    *,
    client: AuthenticatedClient,
    component: None | str | Unset = UNSET,
    component_instance: None | str | Unset = UNSET,
    evse_id: int | None | Unset = UNSET,
    connector_id: int | None | Unset = UNSET,
    variable: None | str | Unset = UNSET,
    variable_instance: None | str | Unset = UNSET,
    attribute: DeviceModelAttributeType0 | None | Unset = UNSET,
    mutability: DeviceModelMutabilityType0 | None | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> Response[DeviceModelResponseDeviceModel | HTTPValidationError]:
    """ Device Model

     The stored inventory, one item per variable attribute, filtered (exact matches).

    Args:
        station_id (str):
        component (None | str | Unset): "" = 1.6 configuration keys
        component_instance (None | str | Unset):
        evse_id (int | None | Unset):
        connector_id (int | None | Unset):
        variable (None | str | Unset):
        variable_instance (None | str | Unset):
        attribute (DeviceModelAttributeType0 | None | Unset):
        mutability (DeviceModelMutabilityType0 | None | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeviceModelResponseDeviceModel | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        station_id=station_id,
component=component,
component_instance=component_instance,
evse_id=evse_id,
connector_id=connector_id,
variable=variable,
variable_instance=variable_instance,
attribute=attribute,
mutability=mutability,
limit=limit,
offset=offset,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    station_id: str,
    *,
    client: AuthenticatedClient,
    component: None | str | Unset = UNSET,
    component_instance: None | str | Unset = UNSET,
    evse_id: int | None | Unset = UNSET,
    connector_id: int | None | Unset = UNSET,
    variable: None | str | Unset = UNSET,
    variable_instance: None | str | Unset = UNSET,
    attribute: DeviceModelAttributeType0 | None | Unset = UNSET,
    mutability: DeviceModelMutabilityType0 | None | Unset = UNSET,
    limit: int | Unset = 1000,
    offset: int | Unset = 0,

) -> DeviceModelResponseDeviceModel | HTTPValidationError | None:
    """ Device Model

     The stored inventory, one item per variable attribute, filtered (exact matches).

    Args:
        station_id (str):
        component (None | str | Unset): "" = 1.6 configuration keys
        component_instance (None | str | Unset):
        evse_id (int | None | Unset):
        connector_id (int | None | Unset):
        variable (None | str | Unset):
        variable_instance (None | str | Unset):
        attribute (DeviceModelAttributeType0 | None | Unset):
        mutability (DeviceModelMutabilityType0 | None | Unset):
        limit (int | Unset):  Default: 1000.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeviceModelResponseDeviceModel | HTTPValidationError
     """


    return (await asyncio_detailed(
        station_id=station_id,
client=client,
component=component,
component_instance=component_instance,
evse_id=evse_id,
connector_id=connector_id,
variable=variable,
variable_instance=variable_instance,
attribute=attribute,
mutability=mutability,
limit=limit,
offset=offset,

    )).parsed
