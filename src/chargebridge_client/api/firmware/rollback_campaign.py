from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.http_validation_error import HTTPValidationError
from ...models.rollback_body import RollbackBody
from ...models.rollback_campaign_response_rollback_campaign import RollbackCampaignResponseRollbackCampaign
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    campaign_id: str,
    *,
    body: None | RollbackBody | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/firmware/campaigns/{campaign_id}/rollback".format(campaign_id=quote(str(campaign_id), safe=""),),
    }

    
    if isinstance(body, RollbackBody):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> HTTPValidationError | RollbackCampaignResponseRollbackCampaign | None:
    if response.status_code == 200:
        response_200 = RollbackCampaignResponseRollbackCampaign.from_dict(response.json())



        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())



        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[HTTPValidationError | RollbackCampaignResponseRollbackCampaign]:
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
    body: None | RollbackBody | Unset = UNSET,

) -> Response[HTTPValidationError | RollbackCampaignResponseRollbackCampaign]:
    """ Rollback Campaign

    Args:
        campaign_id (str):
        body (None | RollbackBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RollbackCampaignResponseRollbackCampaign]
     """


    kwargs = _get_kwargs(
        campaign_id=campaign_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    campaign_id: str,
    *,
    client: AuthenticatedClient,
    body: None | RollbackBody | Unset = UNSET,

) -> HTTPValidationError | RollbackCampaignResponseRollbackCampaign | None:
    """ Rollback Campaign

    Args:
        campaign_id (str):
        body (None | RollbackBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RollbackCampaignResponseRollbackCampaign
     """


    return sync_detailed(
        campaign_id=campaign_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    campaign_id: str,
    *,
    client: AuthenticatedClient,
    body: None | RollbackBody | Unset = UNSET,

) -> Response[HTTPValidationError | RollbackCampaignResponseRollbackCampaign]:
    """ Rollback Campaign

    Args:
        campaign_id (str):
        body (None | RollbackBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | RollbackCampaignResponseRollbackCampaign]
     """


    kwargs = _get_kwargs(
        campaign_id=campaign_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    campaign_id: str,
    *,
    client: AuthenticatedClient,
    body: None | RollbackBody | Unset = UNSET,

) -> HTTPValidationError | RollbackCampaignResponseRollbackCampaign | None:
    """ Rollback Campaign

    Args:
        campaign_id (str):
        body (None | RollbackBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | RollbackCampaignResponseRollbackCampaign
     """


    return (await asyncio_detailed(
        campaign_id=campaign_id,
client=client,
body=body,

    )).parsed
