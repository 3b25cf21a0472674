/**
 * The closed set of error codes the API answers with. They are a public contract: channels and
 * the web app branch on them, so a code is never renamed or reused for another meaning.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'unsupported_charset'
  | 'invalid_utf8'
  | 'invalid_text'
  | 'too_deeply_nested'
  | 'not_found'
  | 'method_not_allowed'
  | 'unauthenticated'
  | 'session_expired'
  | 'forbidden'
  | 'rate_limited'
  | 'sign_in_code_invalid'
  | 'sign_in_code_expired'
  | 'sign_in_code_attempts_exceeded'
  | 'invalid_credentials'
  | 'pledge_required'
  | 'document_taken'
  | 'application_required'
  | 'resident_not_found'
  | 'out_of_jurisdiction'
  | 'sms_delivery_failed'
  | 'import_not_found'
  | 'risk_area_not_found'
  | 'risk_area_already_lifted'
  | 'policy_not_found'
  | 'policy_version_exists'
  | 'policy_rollback_invalid'
  | 'internal_error'
  | 'service_unavailable'
  // issue 4
  | 'venue_not_found'
  | 'venue_not_approved'
  | 'venue_already_approved'
  | 'place_code_revoked'
  | 'place_code_invalid'
  | 'not_venue_manager'
  | 'not_venue_staff'
  | 'staff_username_taken'
  | 'report_not_found'
  | 'report_state_invalid'
  | 'temperature_out_of_range'
  | 'check_time_invalid'
  // issue 8
  | 'sign_in_locked'
  // issue 9
  | 'fact_not_found'
  | 'family_member_is_proxy'
  | 'family_members_limit'
  | 'member_proxies_limit'
  | 'family_member_not_found'
  | 'family_member_already_bound'
  | 'paper_code_not_found'
  | 'paper_code_expired'
  | 'paper_code_revoked'
  | 'arrival_not_yet_allowed'
  // issue 10: feedback, appeals and notices
  | 'attachment_too_large'
  | 'attachment_type_mismatch'
  | 'feedback_not_found'
  | 'feedback_closed'
  | 'appeal_not_found'
  | 'attachment_not_found'
  | 'appeal_already_answered'
  | 'appeal_escalated'
  // issue 10 (overrides, complaints)
  | 'override_end_invalid'
  | 'override_too_long'
  | 'override_not_found'
  | 'override_self_approval'
  | 'override_already_approved'
  | 'override_ended'
  // issue 10
  | 'staff_not_found'
  | 'second_factor_required'
  | 'second_factor_invalid'
  | 'second_factor_not_enrolled'
  | 'setup_link_invalid'
  | 'setup_link_expired'
  | 'reason_required'
  // issue 11: partner channels
  | 'channel_not_found'
  | 'channel_credentials_invalid'
  | 'channel_credentials_locked'
  | 'channel_disabled'
  | 'channel_token_invalid'
  | 'channel_token_expired'
  | 'channel_scope_missing'
  | 'channel_rate_limited'
  | 'grant_type_unsupported'
  | 'scope_invalid'
  | 'mobile_not_verified'
  // issue 11: hospitals
  | 'venue_not_hospital'
  | 'health_code_invalid'
  | 'client_visit_id_reused';

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  validation_failed: 400,
  malformed_json: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  unsupported_charset: 415,
  invalid_utf8: 400,
  invalid_text: 400,
  too_deeply_nested: 400,
  not_found: 404,
  method_not_allowed: 405,
  unauthenticated: 401,
  session_expired: 401,
  forbidden: 403,
  rate_limited: 429,
  sign_in_code_invalid: 400,
  sign_in_code_expired: 400,
  sign_in_code_attempts_exceeded: 429,
  invalid_credentials: 401,
  pledge_required: 400,
  document_taken: 409,
  application_required: 404,
  resident_not_found: 404,
  out_of_jurisdiction: 403,
  sms_delivery_failed: 502,
  import_not_found: 404,
  risk_area_not_found: 404,
  risk_area_already_lifted: 409,
  policy_not_found: 404,
  policy_version_exists: 409,
  policy_rollback_invalid: 409,
  internal_error: 500,
  service_unavailable: 503,
  // issue 4
  venue_not_found: 404,
  venue_not_approved: 409,
  venue_already_approved: 409,
  place_code_revoked: 410,
  place_code_invalid: 400,
  not_venue_manager: 403,
  not_venue_staff: 403,
  staff_username_taken: 409,
  report_not_found: 404,
  report_state_invalid: 409,
  temperature_out_of_range: 400,
  check_time_invalid: 400,
  // issue 8
  sign_in_locked: 429,
  // issue 9
  fact_not_found: 404,
  family_member_is_proxy: 400,
  family_members_limit: 409,
  member_proxies_limit: 409,
  family_member_not_found: 404,
  family_member_already_bound: 409,
  paper_code_not_found: 404,
  paper_code_expired: 410,
  paper_code_revoked: 410,
  arrival_not_yet_allowed: 409,
  // issue 10: feedback, appeals and notices
  attachment_too_large: 413,
  attachment_type_mismatch: 415,
  feedback_not_found: 404,
  feedback_closed: 409,
  appeal_not_found: 404,
  attachment_not_found: 404,
  appeal_already_answered: 409,
  appeal_escalated: 409,
  // issue 10 (overrides, complaints)
  override_end_invalid: 400,
  override_too_long: 400,
  override_not_found: 404,
  override_self_approval: 403,
  override_already_approved: 409,
  override_ended: 409,
  // issue 10
  staff_not_found: 404,
  second_factor_required: 401,
  second_factor_invalid: 401,
  second_factor_not_enrolled: 403,
  setup_link_invalid: 400,
  setup_link_expired: 410,
  reason_required: 400,
  // issue 11: partner channels
  channel_not_found: 404,
  channel_credentials_invalid: 401,
  channel_credentials_locked: 429,
  channel_disabled: 401,
  channel_token_invalid: 401,
  channel_token_expired: 401,
  channel_scope_missing: 403,
  channel_rate_limited: 429,
  grant_type_unsupported: 400,
  scope_invalid: 400,
  mobile_not_verified: 403,
  venue_not_hospital: 409,
  health_code_invalid: 400,
  client_visit_id_reused: 409,
};

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
