from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.campaign_action_action import CampaignActionAction
from ...models.campaign_action_response_campaign_action import CampaignActionResponseCampaignAction
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    campaign_id: str,
    action: CampaignActionAction,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/firmware/campaigns/{campaign_id}/{action}".format(campaign_id=quote(str(campaign_id), safe=""),action=quote(str(action), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CampaignActionResponseCampaignAction | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = CampaignActionResponseCampaignAction.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CampaignActionResponseCampaignAction | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    campaign_id: str,
    action: CampaignActionAction,
    *,
    client: AuthenticatedClient,

) -> Response[CampaignActionResponseCampaignAction | HTTPValidationError]:
    """ Campaign Action

    Args:
        campaign_id (str):
        action (CampaignActionAction):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CampaignActionResponseCampaignAction | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        campaign_id=campaign_id,
action=action,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    campaign_id: str,
    action: CampaignActionAction,
    *,
    client: AuthenticatedClient,

) -> CampaignActionResponseCampaignAction | HTTPValidationError | None:
    """ Campaign Action

    Args:
        campaign_id (str):
        action (CampaignActionAction):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CampaignActionResponseCampaignAction | HTTPValidationError
     """


    return sync_detailed(
        campaign_id=campaign_id,
action=action,
client=client,

    ).parsed

async def asyncio_detailed(
    campaign_id: str,
    action: CampaignActionAction,
    *,
    client: AuthenticatedClient,

) -> Response[CampaignActionResponseCampaignAction | HTTPValidationError]:
    """ Campaign Action

    Args:
        campaign_id (str):
        action (CampaignActionAction):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CampaignActionResponseCampaignAction | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        campaign_id=campaign_id,
action=action,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    campaign_id: str,
    action: CampaignActionAction,
    *,
    client: AuthenticatedClient,

) -> CampaignActionResponseCampaignAction | HTTPValidationError | None:
    """ Campaign Action

    Args:
        campaign_id (str):
        action (CampaignActionAction):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CampaignActionResponseCampaignAction | HTTPValidationError
     """


    return (await asyncio_detailed(
        campaign_id=campaign_id,
action=action,
client=client,

    )).parsed
