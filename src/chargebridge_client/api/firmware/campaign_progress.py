from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.campaign_progress_response_campaign_progress import CampaignProgressResponseCampaignProgress
from ...models.http_validation_error import HTTPValidationError
from typing import cast



def _get_kwargs(
    campaign_id: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/firmware/campaigns/{campaign_id}".format(campaign_id=quote(str(campaign_id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CampaignProgressResponseCampaignProgress | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = CampaignProgressResponseCampaignProgress.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CampaignProgressResponseCampaignProgress | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    campaign_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[CampaignProgressResponseCampaignProgress | HTTPValidationError]:
    """ Campaign Progress

    Args:
        campaign_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CampaignProgressResponseCampaignProgress | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        campaign_id=campaign_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    campaign_id: str,
    *,
    client: AuthenticatedClient,

) -> CampaignProgressResponseCampaignProgress | HTTPValidationError | None:
    """ Campaign Progress

    Args:
        campaign_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CampaignProgressResponseCampaignProgress | HTTPValidationError
     """


    return sync_detailed(
        campaign_id=campaign_id,
client=client,

    ).parsed

async def asyncio_detailed(
    campaign_id: str,
    *,
    client: AuthenticatedClient,

) -> Response[CampaignProgressResponseCampaignProgress | HTTPValidationError]:
    """ Campaign Progress

    Args:
        campaign_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CampaignProgressResponseCampaignProgress | HTTPValidationError]
     """


    kwargs = _get_kwargs(
        campaign_id=campaign_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    campaign_id: str,
    *,
    client: AuthenticatedClient,

) -> CampaignProgressResponseCampaignProgress | HTTPValidationError | None:
    """ Campaign Progress

    Args:
        campaign_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CampaignProgressResponseCampaignProgress | HTTPValidationError
     """


    return (await asyncio_detailed(
        campaign_id=campaign_id,
client=client,

    )).parsed
