""" Contains all the data models used in inputs/outputs """

from .abort_validation_run_response_abort_validation_run import AbortValidationRunResponseAbortValidationRun
from .acknowledge_integrity_failures_response_acknowledge_integrity_failures import AcknowledgeIntegrityFailuresResponseAcknowledgeIntegrityFailures
from .add_certification_response_add_certification import AddCertificationResponseAddCertification
from .add_limit_response_add_limit import AddLimitResponseAddLimit
from .add_meter_key_response_add_meter_key import AddMeterKeyResponseAddMeterKey
from .add_root_response_add_root import AddRootResponseAddRoot
from .address_body import AddressBody
from .address_body_attribute_type_0 import AddressBodyAttributeType0
from .answer import Answer
from .answer_command_response_answer_command import AnswerCommandResponseAnswerCommand
from .answer_result_type_0 import AnswerResultType0
from .answer_status import AnswerStatus
from .apn_body import ApnBody
from .apn_body_authentication import ApnBodyAuthentication
from .assignment_body import AssignmentBody
from .awaiting_response_awaiting import AwaitingResponseAwaiting
from .batch import Batch
from .batch_answer import BatchAnswer
from .buses_response_200_item import BusesResponse200Item
from .campaign_action_action import CampaignActionAction
from .campaign_action_response_campaign_action import CampaignActionResponseCampaignAction
from .campaign_body import CampaignBody
from .campaign_progress_response_campaign_progress import CampaignProgressResponseCampaignProgress
from .cancel_reservation_response_cancel_reservation import CancelReservationResponseCancelReservation
from .certification_body import CertificationBody
from .certification_body_kind import CertificationBodyKind
from .certification_body_ocpp_version_type_0 import CertificationBodyOcppVersionType0
from .certification_body_scheme_type_0 import CertificationBodySchemeType0
from .charging_limits_response_charging_limits import ChargingLimitsResponseChargingLimits
from .clear_charging_profile_response_clear_charging_profile import ClearChargingProfileResponseClearChargingProfile
from .clear_charging_profiles_purpose_type_0 import ClearChargingProfilesPurposeType0
from .clear_charging_profiles_response_clear_charging_profiles import ClearChargingProfilesResponseClearChargingProfiles
from .clear_display_message_response_clear_display_message import ClearDisplayMessageResponseClearDisplayMessage
from .clear_monitors_body import ClearMonitorsBody
from .clear_monitors_response_clear_monitors import ClearMonitorsResponseClearMonitors
from .command_body import CommandBody
from .command_body_params import CommandBodyParams
from .command_body_type import CommandBodyType
from .compatibility import Compatibility
from .compatibility_body import CompatibilityBody
from .compatibility_response_200_item import CompatibilityResponse200Item
from .composite_schedule_response_composite_schedule import CompositeScheduleResponseCompositeSchedule
from .composite_schedule_unit_type_0 import CompositeScheduleUnitType0
from .cost_updated_body import CostUpdatedBody
from .create_campaign_response_create_campaign import CreateCampaignResponseCreateCampaign
from .create_command_response_create_command import CreateCommandResponseCreateCommand
from .create_id_token_response_create_id_token import CreateIdTokenResponseCreateIdToken
from .create_reservation_response_create_reservation import CreateReservationResponseCreateReservation
from .create_site_response_create_site import CreateSiteResponseCreateSite
from .create_station_response_create_station import CreateStationResponseCreateStation
from .create_subscription_response_create_subscription import CreateSubscriptionResponseCreateSubscription
from .create_token_response_create_token import CreateTokenResponseCreateToken
from .credit_body import CreditBody
from .customer_information_log_response_customer_information_log import CustomerInformationLogResponseCustomerInformationLog
from .delete_reservation_response_delete_reservation import DeleteReservationResponseDeleteReservation
from .device_model_attribute_type_0 import DeviceModelAttributeType0
from .device_model_mutability_type_0 import DeviceModelMutabilityType0
from .device_model_response_device_model import DeviceModelResponseDeviceModel
from .diagnostics_body import DiagnosticsBody
from .diagnostics_body_log_type import DiagnosticsBodyLogType
from .display_component_body import DisplayComponentBody
from .display_message_body import DisplayMessageBody
from .display_message_body_format import DisplayMessageBodyFormat
from .display_message_body_priority import DisplayMessageBodyPriority
from .display_message_body_state_type_0 import DisplayMessageBodyStateType0
from .display_report_body import DisplayReportBody
from .display_report_body_priority_type_0 import DisplayReportBodyPriorityType0
from .display_report_body_state_type_0 import DisplayReportBodyStateType0
from .ev_charging_needs_response_ev_charging_needs import EvChargingNeedsResponseEvChargingNeeds
from .event_kind import EventKind
from .evse_energy import EvseEnergy
from .fleet_events_response_fleet_events import FleetEventsResponseFleetEvents
from .fleet_facets_response_fleet_facets import FleetFacetsResponseFleetFacets
from .fleet_faults_response_fleet_faults import FleetFaultsResponseFleetFaults
from .fleet_power_response_fleet_power import FleetPowerResponseFleetPower
from .fleet_sessions_response_fleet_sessions import FleetSessionsResponseFleetSessions
from .fleet_stations_order import FleetStationsOrder
from .fleet_stations_response_fleet_stations import FleetStationsResponseFleetStations
from .fleet_stations_sort import FleetStationsSort
from .fleet_stations_state_type_0 import FleetStationsStateType0
from .fleet_summary_response_fleet_summary import FleetSummaryResponseFleetSummary
from .gates_body import GatesBody
from .get_billing_profile_response_get_billing_profile import GetBillingProfileResponseGetBillingProfile
from .get_command_response_get_command import GetCommandResponseGetCommand
from .get_display_report_response_get_display_report import GetDisplayReportResponseGetDisplayReport
from .get_edge_response_get_edge import GetEdgeResponseGetEdge
from .get_id_token_response_get_id_token import GetIdTokenResponseGetIdToken
from .get_image_response_get_image import GetImageResponseGetImage
from .get_monitoring_report_response_get_monitoring_report import GetMonitoringReportResponseGetMonitoringReport
from .get_report_response_get_report import GetReportResponseGetReport
from .get_reservation_response_get_reservation import GetReservationResponseGetReservation
from .get_schedule_response_get_schedule import GetScheduleResponseGetSchedule
from .get_site_response_get_site import GetSiteResponseGetSite
from .get_station_certificates_response_get_station_certificates import GetStationCertificatesResponseGetStationCertificates
from .get_station_energy_response_get_station_energy import GetStationEnergyResponseGetStationEnergy
from .get_station_response_get_station import GetStationResponseGetStation
from .get_station_security_response_get_station_security import GetStationSecurityResponseGetStationSecurity
from .get_subscription_response_get_subscription import GetSubscriptionResponseGetSubscription
from .get_transaction_response_get_transaction import GetTransactionResponseGetTransaction
from .get_validation_run_response_get_validation_run import GetValidationRunResponseGetValidationRun
from .get_variables_body import GetVariablesBody
from .get_variables_response_get_variables import GetVariablesResponseGetVariables
from .hardware_body import HardwareBody
from .hash_data_body import HashDataBody
from .hash_data_body_hash_algorithm import HashDataBodyHashAlgorithm
from .health_response_health import HealthResponseHealth
from .healthz_response_healthz import HealthzResponseHealthz
from .http_validation_error import HTTPValidationError
from .id_token_body import IdTokenBody
from .id_token_body_status import IdTokenBodyStatus
from .id_token_update import IdTokenUpdate
from .id_token_update_status import IdTokenUpdateStatus
from .image_downloads_response_200_item import ImageDownloadsResponse200Item
from .limit_body import LimitBody
from .list_all_certificates_response_list_all_certificates import ListAllCertificatesResponseListAllCertificates
from .list_all_certificates_status import ListAllCertificatesStatus
from .list_audit_response_list_audit import ListAuditResponseListAudit
from .list_campaigns_response_200_item import ListCampaignsResponse200Item
from .list_certifications_kind_type_0 import ListCertificationsKindType0
from .list_certifications_response_list_certifications import ListCertificationsResponseListCertifications
from .list_charging_profiles_purpose_type_0 import ListChargingProfilesPurposeType0
from .list_charging_profiles_response_list_charging_profiles import ListChargingProfilesResponseListChargingProfiles
from .list_commands_response_200_item import ListCommandsResponse200Item
from .list_commands_state import ListCommandsState
from .list_customer_information_response_list_customer_information import ListCustomerInformationResponseListCustomerInformation
from .list_dead_letters_response_list_dead_letters import ListDeadLettersResponseListDeadLetters
from .list_diagnostics_response_200_item import ListDiagnosticsResponse200Item
from .list_display_messages_response_list_display_messages import ListDisplayMessagesResponseListDisplayMessages
from .list_display_reports_response_list_display_reports import ListDisplayReportsResponseListDisplayReports
from .list_edges_response_200_item import ListEdgesResponse200Item
from .list_id_tokens_response_list_id_tokens import ListIdTokensResponseListIdTokens
from .list_images_response_200_item import ListImagesResponse200Item
from .list_integrity_failures_response_list_integrity_failures import ListIntegrityFailuresResponseListIntegrityFailures
from .list_limits_response_list_limits import ListLimitsResponseListLimits
from .list_meter_keys_response_200_item import ListMeterKeysResponse200Item
from .list_monitoring_reports_response_list_monitoring_reports import ListMonitoringReportsResponseListMonitoringReports
from .list_publications_response_list_publications import ListPublicationsResponseListPublications
from .list_reports_response_list_reports import ListReportsResponseListReports
from .list_reservations_response_list_reservations import ListReservationsResponseListReservations
from .list_roots_kind_type_0 import ListRootsKindType0
from .list_roots_response_list_roots import ListRootsResponseListRoots
from .list_security_events_response_list_security_events import ListSecurityEventsResponseListSecurityEvents
from .list_sites_response_list_sites import ListSitesResponseListSites
from .list_stations_response_list_stations import ListStationsResponseListStations
from .list_subscriptions_response_list_subscriptions import ListSubscriptionsResponseListSubscriptions
from .list_tokens_response_list_tokens import ListTokensResponseListTokens
from .list_transactions_response_list_transactions import ListTransactionsResponseListTransactions
from .list_updates_response_200_item import ListUpdatesResponse200Item
from .list_validation_cases_response_200_item import ListValidationCasesResponse200Item
from .list_validation_quirks_response_list_validation_quirks import ListValidationQuirksResponseListValidationQuirks
from .list_validation_runs_response_list_validation_runs import ListValidationRunsResponseListValidationRuns
from .local_list_flag import LocalListFlag
from .matrix_check_response_matrix_check import MatrixCheckResponseMatrixCheck
from .matrix_response_matrix import MatrixResponseMatrix
from .me_response_me import MeResponseMe
from .meter_aggregates_response_meter_aggregates import MeterAggregatesResponseMeterAggregates
from .meter_key_body import MeterKeyBody
from .meter_values_response_meter_values import MeterValuesResponseMeterValues
from .meters_response_200_item import MetersResponse200Item
from .monitor_body import MonitorBody
from .monitor_body_type import MonitorBodyType
from .monitoring_base_body import MonitoringBaseBody
from .monitoring_base_body_monitoring_base import MonitoringBaseBodyMonitoringBase
from .monitoring_level_body import MonitoringLevelBody
from .monitoring_report_body import MonitoringReportBody
from .monitoring_report_body_monitoring_criteria_item import MonitoringReportBodyMonitoringCriteriaItem
from .monitoring_response_monitoring import MonitoringResponseMonitoring
from .monitors_body import MonitorsBody
from .network_profile_body import NetworkProfileBody
from .network_profile_body_ocpp_interface import NetworkProfileBodyOcppInterface
from .network_profile_body_ocpp_transport import NetworkProfileBodyOcppTransport
from .network_profile_body_ocpp_version import NetworkProfileBodyOcppVersion
from .password_rotation import PasswordRotation
from .pnc_status_response_pnc_status import PncStatusResponsePncStatus
from .profile_body import ProfileBody
from .profiles_response_200_item import ProfilesResponse200Item
from .publish_body import PublishBody
from .put_billing_profile_response_put_billing_profile import PutBillingProfileResponsePutBillingProfile
from .put_schedule_response_put_schedule import PutScheduleResponsePutSchedule
from .put_station_energy_response_put_station_energy import PutStationEnergyResponsePutStationEnergy
from .raw_call_payload import RawCallPayload
from .raw_call_response_raw_call import RawCallResponseRawCall
from .read_meter_key_response_read_meter_key import ReadMeterKeyResponseReadMeterKey
from .read_register_body import ReadRegisterBody
from .read_register_body_register_type import ReadRegisterBodyRegisterType
from .read_register_response_read_register import ReadRegisterResponseReadRegister
from .renew_certificate_response_renew_certificate import RenewCertificateResponseRenewCertificate
from .replan_response_replan import ReplanResponseReplan
from .report_body import ReportBody
from .report_body_component_criteria_item import ReportBodyComponentCriteriaItem
from .report_body_report_base_type_0 import ReportBodyReportBaseType0
from .report_charging_profiles_body_type_0 import ReportChargingProfilesBodyType0
from .report_charging_profiles_response_report_charging_profiles import ReportChargingProfilesResponseReportChargingProfiles
from .request_customer_information_response_request_customer_information import RequestCustomerInformationResponseRequestCustomerInformation
from .request_diagnostics_response_request_diagnostics import RequestDiagnosticsResponseRequestDiagnostics
from .request_display_messages_response_request_display_messages import RequestDisplayMessagesResponseRequestDisplayMessages
from .request_monitoring_report_response_request_monitoring_report import RequestMonitoringReportResponseRequestMonitoringReport
from .request_report_response_request_report import RequestReportResponseRequestReport
from .reservation_body import ReservationBody
from .reservation_body_connector_type_type_0 import ReservationBodyConnectorTypeType0
from .retention_run_response_retention_run import RetentionRunResponseRetentionRun
from .retention_status_response_retention_status import RetentionStatusResponseRetentionStatus
from .retry_dead_letter_response_retry_dead_letter import RetryDeadLetterResponseRetryDeadLetter
from .review_body import ReviewBody
from .rollback_body import RollbackBody
from .rollback_campaign_response_rollback_campaign import RollbackCampaignResponseRollbackCampaign
from .root_body import RootBody
from .root_body_kind import RootBodyKind
from .rotate_station_password_response_rotate_station_password import RotateStationPasswordResponseRotateStationPassword
from .run_body import RunBody
from .run_body_level import RunBodyLevel
from .samples_response_200_item import SamplesResponse200Item
from .schedule_body import ScheduleBody
from .schedule_item import ScheduleItem
from .selector_body import SelectorBody
from .send_command_body_type_0 import SendCommandBodyType0
from .send_command_command import SendCommandCommand
from .send_command_response_send_command import SendCommandResponseSendCommand
from .set_charging_profile_body import SetChargingProfileBody
from .set_charging_profile_response_set_charging_profile import SetChargingProfileResponseSetChargingProfile
from .set_compatibility_response_set_compatibility import SetCompatibilityResponseSetCompatibility
from .set_default_tariff_response_set_default_tariff import SetDefaultTariffResponseSetDefaultTariff
from .set_display_message_response_set_display_message import SetDisplayMessageResponseSetDisplayMessage
from .set_group_tariff_response_set_group_tariff import SetGroupTariffResponseSetGroupTariff
from .set_hardware_bulk_body import SetHardwareBulkBody
from .set_hardware_bulk_response_set_hardware_bulk import SetHardwareBulkResponseSetHardwareBulk
from .set_hardware_response_set_hardware import SetHardwareResponseSetHardware
from .set_monitoring_base_response_set_monitoring_base import SetMonitoringBaseResponseSetMonitoringBase
from .set_monitoring_level_response_set_monitoring_level import SetMonitoringLevelResponseSetMonitoringLevel
from .set_monitors_response_set_monitors import SetMonitorsResponseSetMonitors
from .set_network_profile_response_set_network_profile import SetNetworkProfileResponseSetNetworkProfile
from .set_signature_response_set_signature import SetSignatureResponseSetSignature
from .set_site_tariff_response_set_site_tariff import SetSiteTariffResponseSetSiteTariff
from .set_station_local_list_response_set_station_local_list import SetStationLocalListResponseSetStationLocalList
from .set_station_security_response_set_station_security import SetStationSecurityResponseSetStationSecurity
from .set_token_stations_response_set_token_stations import SetTokenStationsResponseSetTokenStations
from .set_variables_body import SetVariablesBody
from .set_variables_response_set_variables import SetVariablesResponseSetVariables
from .signature_body import SignatureBody
from .site_create import SiteCreate
from .site_create_phases import SiteCreatePhases
from .site_history_response_site_history import SiteHistoryResponseSiteHistory
from .site_update import SiteUpdate
from .site_update_phases_type_0 import SiteUpdatePhasesType0
from .start_validation_run_response_start_validation_run import StartValidationRunResponseStartValidationRun
from .station_create import StationCreate
from .station_create_registration_status import StationCreateRegistrationStatus
from .station_create_security_profile_type_0 import StationCreateSecurityProfileType0
from .station_energy import StationEnergy
from .station_energy_phase_rotation_type_0 import StationEnergyPhaseRotationType0
from .station_events_response_station_events import StationEventsResponseStationEvents
from .station_faults_response_station_faults import StationFaultsResponseStationFaults
from .station_firmware_response_station_firmware import StationFirmwareResponseStationFirmware
from .station_local_list_response_station_local_list import StationLocalListResponseStationLocalList
from .station_local_list_version_response_station_local_list_version import StationLocalListVersionResponseStationLocalListVersion
from .station_reservations_response_station_reservations import StationReservationsResponseStationReservations
from .station_security import StationSecurity
from .station_security_profile import StationSecurityProfile
from .station_transaction_status_response_station_transaction_status import StationTransactionStatusResponseStationTransactionStatus
from .station_update import StationUpdate
from .station_update_registration_status_type_0 import StationUpdateRegistrationStatusType0
from .subscription_create import SubscriptionCreate
from .sync_body import SyncBody
from .sync_body_update_type import SyncBodyUpdateType
from .sync_station_local_list_response_sync_station_local_list import SyncStationLocalListResponseSyncStationLocalList
from .system_status_response_system_status import SystemStatusResponseSystemStatus
from .target_body import TargetBody
from .the_local_list_response_the_local_list import TheLocalListResponseTheLocalList
from .token_create import TokenCreate
from .token_create_role import TokenCreateRole
from .token_scope import TokenScope
from .transaction_status_response_transaction_status import TransactionStatusResponseTransactionStatus
from .unpublish_body import UnpublishBody
from .update_body import UpdateBody
from .update_id_token_response_update_id_token import UpdateIdTokenResponseUpdateIdToken
from .update_site_response_update_site import UpdateSiteResponseUpdateSite
from .update_station_response_update_station import UpdateStationResponseUpdateStation
from .upload_image_response_upload_image import UploadImageResponseUploadImage
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext
from .value_body import ValueBody
from .value_body_attribute_type_0 import ValueBodyAttributeType0
from .violations_response_200_item import ViolationsResponse200Item
from .vpn_body import VpnBody
from .vpn_body_type import VpnBodyType
from .window_body import WindowBody
from .wire_device_status import WireDeviceStatus
from .wire_device_status_active_faults import WireDeviceStatusActiveFaults
from .wire_device_status_counters import WireDeviceStatusCounters
from .wire_record import WireRecord
from .wire_record_data import WireRecordData
from .wire_record_kind import WireRecordKind
from .wire_status import WireStatus
from .wire_status_limits import WireStatusLimits

__all__ = (
    "AbortValidationRunResponseAbortValidationRun",
    "AcknowledgeIntegrityFailuresResponseAcknowledgeIntegrityFailures",
    "AddCertificationResponseAddCertification",
    "AddLimitResponseAddLimit",
    "AddMeterKeyResponseAddMeterKey",
    "AddressBody",
    "AddressBodyAttributeType0",
    "AddRootResponseAddRoot",
    "Answer",
    "AnswerCommandResponseAnswerCommand",
    "AnswerResultType0",
    "AnswerStatus",
    "ApnBody",
    "ApnBodyAuthentication",
    "AssignmentBody",
    "AwaitingResponseAwaiting",
    "Batch",
    "BatchAnswer",
    "BusesResponse200Item",
    "CampaignActionAction",
    "CampaignActionResponseCampaignAction",
    "CampaignBody",
    "CampaignProgressResponseCampaignProgress",
    "CancelReservationResponseCancelReservation",
    "CertificationBody",
    "CertificationBodyKind",
    "CertificationBodyOcppVersionType0",
    "CertificationBodySchemeType0",
    "ChargingLimitsResponseChargingLimits",
    "ClearChargingProfileResponseClearChargingProfile",
    "ClearChargingProfilesPurposeType0",
    "ClearChargingProfilesResponseClearChargingProfiles",
    "ClearDisplayMessageResponseClearDisplayMessage",
    "ClearMonitorsBody",
    "ClearMonitorsResponseClearMonitors",
    "CommandBody",
    "CommandBodyParams",
    "CommandBodyType",
    "Compatibility",
    "CompatibilityBody",
    "CompatibilityResponse200Item",
    "CompositeScheduleResponseCompositeSchedule",
    "CompositeScheduleUnitType0",
    "CostUpdatedBody",
    "CreateCampaignResponseCreateCampaign",
    "CreateCommandResponseCreateCommand",
    "CreateIdTokenResponseCreateIdToken",
    "CreateReservationResponseCreateReservation",
    "CreateSiteResponseCreateSite",
    "CreateStationResponseCreateStation",
    "CreateSubscriptionResponseCreateSubscription",
    "CreateTokenResponseCreateToken",
    "CreditBody",
    "CustomerInformationLogResponseCustomerInformationLog",
    "DeleteReservationResponseDeleteReservation",
    "DeviceModelAttributeType0",
    "DeviceModelMutabilityType0",
    "DeviceModelResponseDeviceModel",
    "DiagnosticsBody",
    "DiagnosticsBodyLogType",
    "DisplayComponentBody",
    "DisplayMessageBody",
    "DisplayMessageBodyFormat",
    "DisplayMessageBodyPriority",
    "DisplayMessageBodyStateType0",
    "DisplayReportBody",
    "DisplayReportBodyPriorityType0",
    "DisplayReportBodyStateType0",
    "EvChargingNeedsResponseEvChargingNeeds",
    "EventKind",
    "EvseEnergy",
    "FleetEventsResponseFleetEvents",
    "FleetFacetsResponseFleetFacets",
    "FleetFaultsResponseFleetFaults",
    "FleetPowerResponseFleetPower",
    "FleetSessionsResponseFleetSessions",
    "FleetStationsOrder",
    "FleetStationsResponseFleetStations",
    "FleetStationsSort",
    "FleetStationsStateType0",
    "FleetSummaryResponseFleetSummary",
    "GatesBody",
    "GetBillingProfileResponseGetBillingProfile",
    "GetCommandResponseGetCommand",
    "GetDisplayReportResponseGetDisplayReport",
    "GetEdgeResponseGetEdge",
    "GetIdTokenResponseGetIdToken",
    "GetImageResponseGetImage",
    "GetMonitoringReportResponseGetMonitoringReport",
    "GetReportResponseGetReport",
    "GetReservationResponseGetReservation",
    "GetScheduleResponseGetSchedule",
    "GetSiteResponseGetSite",
    "GetStationCertificatesResponseGetStationCertificates",
    "GetStationEnergyResponseGetStationEnergy",
    "GetStationResponseGetStation",
    "GetStationSecurityResponseGetStationSecurity",
    "GetSubscriptionResponseGetSubscription",
    "GetTransactionResponseGetTransaction",
    "GetValidationRunResponseGetValidationRun",
    "GetVariablesBody",
    "GetVariablesResponseGetVariables",
    "HardwareBody",
    "HashDataBody",
    "HashDataBodyHashAlgorithm",
    "HealthResponseHealth",
    "HealthzResponseHealthz",
    "HTTPValidationError",
    "IdTokenBody",
    "IdTokenBodyStatus",
    "IdTokenUpdate",
    "IdTokenUpdateStatus",
    "ImageDownloadsResponse200Item",
    "LimitBody",
    "ListAllCertificatesResponseListAllCertificates",
    "ListAllCertificatesStatus",
    "ListAuditResponseListAudit",
    "ListCampaignsResponse200Item",
    "ListCertificationsKindType0",
    "ListCertificationsResponseListCertifications",
    "ListChargingProfilesPurposeType0",
    "ListChargingProfilesResponseListChargingProfiles",
    "ListCommandsResponse200Item",
    "ListCommandsState",
    "ListCustomerInformationResponseListCustomerInformation",
    "ListDeadLettersResponseListDeadLetters",
    "ListDiagnosticsResponse200Item",
    "ListDisplayMessagesResponseListDisplayMessages",
    "ListDisplayReportsResponseListDisplayReports",
    "ListEdgesResponse200Item",
    "ListIdTokensResponseListIdTokens",
    "ListImagesResponse200Item",
    "ListIntegrityFailuresResponseListIntegrityFailures",
    "ListLimitsResponseListLimits",
    "ListMeterKeysResponse200Item",
    "ListMonitoringReportsResponseListMonitoringReports",
    "ListPublicationsResponseListPublications",
    "ListReportsResponseListReports",
    "ListReservationsResponseListReservations",
    "ListRootsKindType0",
    "ListRootsResponseListRoots",
    "ListSecurityEventsResponseListSecurityEvents",
    "ListSitesResponseListSites",
    "ListStationsResponseListStations",
    "ListSubscriptionsResponseListSubscriptions",
    "ListTokensResponseListTokens",
    "ListTransactionsResponseListTransactions",
    "ListUpdatesResponse200Item",
    "ListValidationCasesResponse200Item",
    "ListValidationQuirksResponseListValidationQuirks",
    "ListValidationRunsResponseListValidationRuns",
    "LocalListFlag",
    "MatrixCheckResponseMatrixCheck",
    "MatrixResponseMatrix",
    "MeResponseMe",
    "MeterAggregatesResponseMeterAggregates",
    "MeterKeyBody",
    "MetersResponse200Item",
    "MeterValuesResponseMeterValues",
    "MonitorBody",
    "MonitorBodyType",
    "MonitoringBaseBody",
    "MonitoringBaseBodyMonitoringBase",
    "MonitoringLevelBody",
    "MonitoringReportBody",
    "MonitoringReportBodyMonitoringCriteriaItem",
    "MonitoringResponseMonitoring",
    "MonitorsBody",
    "NetworkProfileBody",
    "NetworkProfileBodyOcppInterface",
    "NetworkProfileBodyOcppTransport",
    "NetworkProfileBodyOcppVersion",
    "PasswordRotation",
    "PncStatusResponsePncStatus",
    "ProfileBody",
    "ProfilesResponse200Item",
    "PublishBody",
    "PutBillingProfileResponsePutBillingProfile",
    "PutScheduleResponsePutSchedule",
    "PutStationEnergyResponsePutStationEnergy",
    "RawCallPayload",
    "RawCallResponseRawCall",
    "ReadMeterKeyResponseReadMeterKey",
    "ReadRegisterBody",
    "ReadRegisterBodyRegisterType",
    "ReadRegisterResponseReadRegister",
    "RenewCertificateResponseRenewCertificate",
    "ReplanResponseReplan",
    "ReportBody",
    "ReportBodyComponentCriteriaItem",
    "ReportBodyReportBaseType0",
    "ReportChargingProfilesBodyType0",
    "ReportChargingProfilesResponseReportChargingProfiles",
    "RequestCustomerInformationResponseRequestCustomerInformation",
    "RequestDiagnosticsResponseRequestDiagnostics",
    "RequestDisplayMessagesResponseRequestDisplayMessages",
    "RequestMonitoringReportResponseRequestMonitoringReport",
    "RequestReportResponseRequestReport",
    "ReservationBody",
    "ReservationBodyConnectorTypeType0",
    "RetentionRunResponseRetentionRun",
    "RetentionStatusResponseRetentionStatus",
    "RetryDeadLetterResponseRetryDeadLetter",
    "ReviewBody",
    "RollbackBody",
    "RollbackCampaignResponseRollbackCampaign",
    "RootBody",
    "RootBodyKind",
    "RotateStationPasswordResponseRotateStationPassword",
    "RunBody",
    "RunBodyLevel",
    "SamplesResponse200Item",
    "ScheduleBody",
    "ScheduleItem",
    "SelectorBody",
    "SendCommandBodyType0",
    "SendCommandCommand",
    "SendCommandResponseSendCommand",
    "SetChargingProfileBody",
    "SetChargingProfileResponseSetChargingProfile",
    "SetCompatibilityResponseSetCompatibility",
    "SetDefaultTariffResponseSetDefaultTariff",
    "SetDisplayMessageResponseSetDisplayMessage",
    "SetGroupTariffResponseSetGroupTariff",
    "SetHardwareBulkBody",
    "SetHardwareBulkResponseSetHardwareBulk",
    "SetHardwareResponseSetHardware",
    "SetMonitoringBaseResponseSetMonitoringBase",
    "SetMonitoringLevelResponseSetMonitoringLevel",
    "SetMonitorsResponseSetMonitors",
    "SetNetworkProfileResponseSetNetworkProfile",
    "SetSignatureResponseSetSignature",
    "SetSiteTariffResponseSetSiteTariff",
    "SetStationLocalListResponseSetStationLocalList",
    "SetStationSecurityResponseSetStationSecurity",
    "SetTokenStationsResponseSetTokenStations",
    "SetVariablesBody",
    "SetVariablesResponseSetVariables",
    "SignatureBody",
    "SiteCreate",
    "SiteCreatePhases",
    "SiteHistoryResponseSiteHistory",
    "SiteUpdate",
    "SiteUpdatePhasesType0",
    "StartValidationRunResponseStartValidationRun",
    "StationCreate",
    "StationCreateRegistrationStatus",
    "StationCreateSecurityProfileType0",
    "StationEnergy",
    "StationEnergyPhaseRotationType0",
    "StationEventsResponseStationEvents",
    "StationFaultsResponseStationFaults",
    "StationFirmwareResponseStationFirmware",
    "StationLocalListResponseStationLocalList",
    "StationLocalListVersionResponseStationLocalListVersion",
    "StationReservationsResponseStationReservations",
    "StationSecurity",
    "StationSecurityProfile",
    "StationTransactionStatusResponseStationTransactionStatus",
    "StationUpdate",
    "StationUpdateRegistrationStatusType0",
    "SubscriptionCreate",
    "SyncBody",
    "SyncBodyUpdateType",
    "SyncStationLocalListResponseSyncStationLocalList",
    "SystemStatusResponseSystemStatus",
    "TargetBody",
    "TheLocalListResponseTheLocalList",
    "TokenCreate",
    "TokenCreateRole",
    "TokenScope",
    "TransactionStatusResponseTransactionStatus",
    "UnpublishBody",
    "UpdateBody",
    "UpdateIdTokenResponseUpdateIdToken",
    "UpdateSiteResponseUpdateSite",
    "UpdateStationResponseUpdateStation",
    "UploadImageResponseUploadImage",
    "ValidationError",
    "ValidationErrorContext",
    "ValueBody",
    "ValueBodyAttributeType0",
    "ViolationsResponse200Item",
    "VpnBody",
    "VpnBodyType",
    "WindowBody",
    "WireDeviceStatus",
    "WireDeviceStatusActiveFaults",
    "WireDeviceStatusCounters",
    "WireRecord",
    "WireRecordData",
    "WireRecordKind",
    "WireStatus",
    "WireStatusLimits",
)
