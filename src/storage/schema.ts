import type { FactSource } from '../domain/colour/facts.ts';
import type { StaffRole } from '../domain/types.ts';
import type { Generated } from 'kysely';

/**
 * Row types of every table. Times are stored as integer epoch milliseconds (bigint on PostgreSQL,
 * read back as numbers by the type parser installed in database.ts) so that both dialects compare
 * and index them the same way. JSON columns are text holding JSON.
 */
export interface Tables {
  accounts: AccountsTable;
  sign_in_codes: SignInCodesTable;
  sign_in_limits: SignInLimitsTable;
  sign_in_guesses: SignInGuessesTable;
  sign_in_throttles: SignInThrottlesTable;
  sessions: SessionsTable;
  staff: StaffTable;
  staff_divisions: StaffDivisionsTable;
  staff_setup_tokens: StaffSetupTokensTable;
  residents: ResidentsTable;
  facts: FactsTable;
  arrival_declarations: ArrivalDeclarationsTable;
  risk_areas: RiskAreasTable;
  policies: PoliciesTable;
  signing_keys: SigningKeysTable;
  verifications: VerificationsTable;
  audit_log: AuditLogTable;
  platform_secrets: PlatformSecretsTable;
  epidemic_records: EpidemicRecordsTable;
  imports: ImportsTable;
  import_errors: ImportErrorsTable;
  colour_events: ColourEventsTable;
  colour_snapshots: ColourSnapshotsTable;
  purges: PurgesTable;
  job_runs: JobRunsTable;
  venues: VenuesTable;
  checkpoint_checks: CheckpointChecksTable;
  visits: VisitsTable;
  reports: ReportsTable;
  report_outbox: ReportOutboxTable;
  checkpoint_policies: CheckpointPoliciesTable;
  fact_corrections: FactCorrectionsTable;
  family_bindings: FamilyBindingsTable;
  paper_codes: PaperCodesTable;
  feedback: FeedbackTable;
  appeals: AppealsTable;
  attachments: AttachmentsTable;
  notices: NoticesTable;
  notice_outbox: NoticeOutboxTable;
  colour_overrides: ColourOverridesTable;
  venue_complaints: VenueComplaintsTable;
  channels: ChannelsTable;
  channel_secrets: ChannelSecretsTable;
  channel_usage: ChannelUsageTable;
}

export interface AccountsTable {
  id: Generated<number>;
  /** E.164; for stand-in accounts `stand-in:<uuid>`, which no sign-in accepts. */
  mobile: string;
  created_at: number;
  /** 'mobile': someone signs in with it; 'stand_in': holds a family member's record (issue 9). */
  kind: Generated<'mobile' | 'stand_in'>;
}

export interface SignInCodesTable {
  id: Generated<number>;
  mobile: string;
  /** HMAC of the code; the code itself is never stored. */
  code_hash: string;
  created_at: number;
  expires_at: number;
  failed_attempts: number;
  used_at: number | null;
}

/** One row per number that asked for a code or guessed one: the lock its sign-in steps take. */
export interface SignInLimitsTable {
  mobile: string;
  touched_at: number;
}

/** One row per wrong sign-in code guess: the per-number budget of wrong guesses. */
export interface SignInGuessesTable {
  id: Generated<number>;
  mobile: string;
  code_id: number;
  at: number;
}

/** Staff sign-in tries per account or client address (see storage/sign-in-throttles.ts). */
export interface SignInThrottlesTable {
  /** `account:<username>` or `address:<ip>` */
  key: string;
  window_started_at: number;
  /** Tries counted in the window (refused ones while locked included). */
  attempts: number;
  locked_until: number | null;
}

export interface SessionsTable {
  /** SHA-256 of the bearer token; the token itself is never stored. */
  token_hash: string;
  kind: 'resident' | 'staff';
  account_id: number | null;
  staff_id: number | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** A resident session a partner channel opened (issue 11); null for the resident's own sign-in. */
  channel_id: Generated<number | null>;
  /** JSON array: the scopes of the channel's access token that opened the session. */
  channel_scopes: Generated<string | null>;
}

export interface StaffTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: StaffRole;
  /** GB/T 2260 code of the jurisdiction; '000000' for the whole platform. */
  division_code: string;
  created_at: number;
  disabled_at: number | null;
  /** For checkpoint staff a venue manager created: the one venue they check at. */
  venue_id: number | null;
  /** Sealed like platform secrets (ValueSealer, context `staff:<id>:totp`): the base32 TOTP secret. */
  totp_secret: string | null;
  /** The 30-second step of the last accepted code: each code signs in once. */
  totp_last_step: number | null;
  /** When the staff member set the password; null while the one-time link is unused. */
  password_set_at: number | null;
}

/** Further divisions of a staff member's jurisdiction, beside `staff.division_code` (issue 10). */
export interface StaffDivisionsTable {
  staff_id: number;
  division_code: string;
}

/** One-time links to set a staff password: SHA-256 of the token, single use, with an expiry. */
export interface StaffSetupTokensTable {
  token_hash: string;
  staff_id: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ResidentsTable {
  id: Generated<number>;
  account_id: number;
  document_key: string;
  document_type: string;
  document_number: string;
  name: string;
  mobile: string;
  nationality: string;
  address_division: string;
  address_detail: string;
  /** JSON of the 14-day contact history as submitted. */
  contact_history: string;
  health_card_id: string;
  pledged_at: number;
  created_at: number;
  updated_at: number;
  /** Codes issued before this time are revoked (0 = none). */
  codes_valid_after: number;
  colour: 'green' | 'yellow' | 'red';
  colour_until: number | null;
  /** JSON array of reasons of the stored assessment. */
  colour_reasons: string;
  colour_policy_version: string;
  colour_assessed_at: number;
  /** 1 when the resident has stays, so a declared or lifted risk area may change the colour. */
  area_dependent: Generated<number>;
  /** Test and vaccination status (issue 9), updated with the colour. */
  last_negative_test_at: number | null;
  vaccine_doses: Generated<number>;
  last_vaccine_at: number | null;
}

export interface FactsTable {
  id: string;
  resident_id: number;
  kind: string;
  from_ms: number;
  to_ms: number | null;
  /** JSON of the kind-specific attributes (isolation, divisionCode, …). */
  attributes: string;
  source: FactSource;
  /** Who or what produced it: staff id, import source id, 'application'. */
  source_ref: string;
  created_at: number;
  /** For stays: the division, indexed so a risk area finds the residents it touches. */
  division_code: string | null;
}

export interface RiskAreasTable {
  id: string;
  division_code: string;
  sub_area: string | null;
  level: 'high' | 'medium';
  from_ms: number;
  to_ms: number | null;
  note: string;
  created_at: number;
  created_by: number | null;
  lifted_at: number | null;
  lifted_by: number | null;
}

export interface PoliciesTable {
  version: string;
  effective_from: number;
  body: string;
  published_at: number;
  published_by: number | null;
  /** Set by a rollback: a withdrawn version is never in force again (its row stays as history). */
  withdrawn_at: number | null;
  withdrawn_by: number | null;
  note: string | null;
}

export interface SigningKeysTable {
  kid: string;
  /** base64 Ed25519 seed and HKDF secret; see docs/keys.md for who may read this table. */
  seed: string;
  secret: string;
  /** 'next' → published, not yet signing; 'active' → signs; 'retired' → published while its codes live; 'revoked'. */
  status: 'next' | 'active' | 'retired' | 'revoked';
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
}

export interface VerificationsTable {
  id: Generated<number>;
  at: number;
  staff_id: number;
  resident_id: number | null;
  kid: string | null;
  valid: number;
  reason: string | null;
  colour: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_kind: 'staff' | 'resident' | 'system';
  actor_id: number | null;
  action: string;
  resident_id: number | null;
  detail: string;
  /** Hash of the previous row ('' for the first chained row); null on rows from before the chain. */
  prev_hash: string | null;
  /** SHA-256 over prev_hash and this row's content (see storage/audit.ts). */
  hash: string | null;
}

export interface PlatformSecretsTable {
  name: string;
  /** base64 */
  value: string;
  created_at: number;
}

/** Imported epidemic records; they apply to whoever registers with the same document. */
export interface EpidemicRecordsTable {
  id: Generated<number>;
  kind: string;
  /** The provider's id of the record: importing it again changes nothing. */
  source_id: string;
  document_key: string;
  from_ms: number;
  to_ms: number | null;
  division_code: string | null;
  /** JSON of the kind-specific attributes. */
  attributes: string;
  import_id: string;
  /** The division the record was imported for ('000000': the whole province); see migration 005. */
  jurisdiction: Generated<string>;
  created_at: number;
}

export interface ImportsTable {
  id: string;
  kind: string;
  format: 'csv' | 'jsonl';
  strict: number;
  status: 'running' | 'completed' | 'failed' | 'interrupted';
  file_name: string;
  bytes_total: number | null;
  bytes_read: Generated<number>;
  rows_read: Generated<number>;
  rows_imported: Generated<number>;
  rows_duplicate: Generated<number>;
  rows_invalid: Generated<number>;
  residents_matched: Generated<number>;
  error_code: string | null;
  error_message: string | null;
  created_by: number | null;
  /** The division the import was run for ('000000': the whole province). */
  jurisdiction: Generated<string>;
  started_at: number;
  heartbeat_at: number;
  finished_at: number | null;
}

export interface ImportErrorsTable {
  id: Generated<number>;
  import_id: string;
  line: number;
  field: string;
  code: string;
  message: string;
}

export interface ColourEventsTable {
  id: Generated<number>;
  resident_id: number;
  /** The resident's county at the time, for statistics. */
  division_code: string;
  /** Null for a resident's first colour. */
  from_colour: 'green' | 'yellow' | 'red' | null;
  to_colour: 'green' | 'yellow' | 'red';
  /** The rule that decided the new colour; null for green. */
  rule_id: string | null;
  policy_version: string;
  at: number;
}

export interface ColourSnapshotsTable {
  /** China date, YYYY-MM-DD: counts at the end of that day. */
  day: string;
  division_code: string;
  colour: 'green' | 'yellow' | 'red';
  residents: number;
  taken_at: number;
}

export interface PurgesTable {
  id: Generated<number>;
  at: number;
  /** 'schedule' or 'cli' or 'staff:<id>'. */
  actor: string;
  /** JSON: the cut-off time per kind of data. */
  cutoffs: string;
  /** JSON: rows deleted per table. */
  deleted: string;
}

export interface JobRunsTable {
  job: string;
  slot: string;
  started_at: number;
  finished_at: number | null;
}

/** Issue 4: a venue and its place code (S4, S5). */
export interface VenuesTable {
  id: Generated<number>;
  name: string;
  kind: string;
  division_code: string;
  address_detail: string;
  contact_name: string;
  /** E.164 */
  contact_mobile: string;
  /** The resident account that registered the venue: its manager. */
  manager_account_id: number;
  status: 'pending' | 'approved';
  created_at: number;
  approved_at: number | null;
  approved_by: number | null;
  /** 0 before approval; a revocation increments it and older codes stop working. */
  place_code_version: Generated<number>;
  place_code_issued_at: number | null;
  /** The QR text of the current place code. */
  place_code: string | null;
}

/** One person at a venue's entrance (S6), as decided by the checkpoint policy in force. */
export interface CheckpointChecksTable {
  /** UUID made by the server. */
  id: string;
  /** UUID made by the checkpoint page: a replayed upload finds the stored check by it. */
  client_check_id: string;
  venue_id: number;
  staff_id: number;
  resident_id: number | null;
  /** When the check happened at the door (earlier than recorded_at for queued offline checks). */
  checked_at: number;
  recorded_at: number;
  outcome: 'pass' | 'refuse';
  /** JSON array of RefusalReason. */
  reasons: string;
  colour: 'green' | 'yellow' | 'red' | null;
  masked_name: string | null;
  /** Only when the applied checks took it (S11: nothing else is kept about a green holder). */
  temperature_deci_c: number | null;
  mask_worn: number | null;
  code_status: 'valid' | 'invalid' | 'none';
  code_reason: string | null;
  /** JSON of what the page decided offline, or null for an online check. */
  offline: string | null;
  policy_version: string;
}

/** A resident scanned a venue's place code (S4); deleted after the retention period (P5). */
export interface VisitsTable {
  id: Generated<number>;
  resident_id: number;
  venue_id: number;
  at: number;
}

/** A yellow or red code, or a fever, seen at a checkpoint: reported to the area's office (S7). */
export interface ReportsTable {
  id: Generated<number>;
  venue_id: number;
  /** The venue's division, copied so that jurisdiction filters need no join. */
  division_code: string;
  kind: 'yellow_code' | 'red_code' | 'fever';
  state: 'new' | 'acknowledged' | 'handled';
  resident_id: number | null;
  masked_name: string | null;
  check_id: string;
  created_at: number;
  acknowledged_at: number | null;
  acknowledged_by: number | null;
  handled_at: number | null;
  handled_by: number | null;
  note: string | null;
}

/** Report webhook deliveries still to make (or made): survives restarts, shared by all nodes. */
export interface ReportOutboxTable {
  id: Generated<number>;
  report_id: number;
  /** 'report.created' | 'report.state' */
  event: string;
  attempts: Generated<number>;
  /** null once delivered or given up. */
  next_attempt_at: number | null;
  delivered_at: number | null;
  last_error: string | null;
  created_at: number;
}

/** Versioned checkpoint policies (S12), published by provincial admins. */
export interface CheckpointPoliciesTable {
  version: string;
  effective_from: number;
  /** JSON of the CheckpointPolicy. */
  body: string;
  published_at: number;
  published_by: number | null;
}

/** An officer's end or withdrawal of one fact of one resident (issue 9 item 7); the latest counts. */
export interface FactCorrectionsTable {
  resident_id: number;
  fact_id: string;
  action: 'end' | 'withdraw';
  to_ms: number | null;
  reason: string;
  staff_id: number;
  corrected_at: number;
}

/** Who holds whose code (issue 9 item 1). Active while removed_at is null. */
export interface FamilyBindingsTable {
  id: string;
  proxy_resident_id: number;
  member_resident_id: number;
  relationship: string;
  pledged_at: number;
  created_at: number;
  removed_at: number | null;
  removed_by: 'proxy' | 'member' | null;
}

/** One printed paper code (issue 9 item 2); in force while ended_at is null and before expires_at. */
export interface PaperCodesTable {
  id: string;
  resident_id: number;
  issued_at_s: number;
  expires_at: number;
  colour: 'green' | 'yellow' | 'red';
  printed_by_resident_id: number | null;
  printed_by_staff_id: number | null;
  ended_at: number | null;
  end_reason: 'reprinted' | 'revoked' | null;
}

/** One arrival declaration for one person (issue 9 items 5–6); a group covers a family travelling together. */
export interface ArrivalDeclarationsTable {
  id: string;
  group_id: string;
  resident_id: number;
  declared_by_resident_id: number;
  kind: 'domestic' | 'overseas';
  origin_division: string | null;
  countries: string;
  departed_on: number;
  arrived_on: number;
  transport_mode: string;
  transport_number: string | null;
  companions: string;
  home_code_colour: 'green' | 'yellow' | 'red' | null;
  created_at: number;
}

/** Feedback from a resident (S14, issue 10 item 4): a registration problem or anything else. */
export interface FeedbackTable {
  id: string;
  resident_id: number;
  division_code: string;
  kind: 'registration' | 'other';
  text: string;
  state: 'new' | 'answered' | 'closed';
  answer: string | null;
  answered_by: number | null;
  answered_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An appeal against one input of a resident's colour (P4); escalates when its deadline passes. */
export interface AppealsTable {
  id: string;
  resident_id: number;
  filed_by_resident_id: number;
  division_code: string;
  fact_id: string;
  /** JSON of the disputed input as shown to the resident. */
  fact: string;
  explanation: string;
  state: 'open' | 'answered' | 'escalated';
  deadline_at: number;
  escalated_at: number | null;
  answer: string | null;
  outcome: 'upheld' | 'rejected' | null;
  fact_action: 'end' | 'withdraw' | null;
  answered_by: number | null;
  answered_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A file attached to feedback or an appeal: its bytes, checked by content (file-type). */
export interface AttachmentsTable {
  id: string;
  owner_kind: 'feedback' | 'appeal';
  owner_id: string;
  position: number;
  media_type: string;
  size: number;
  sha256: string;
  bytes: Buffer;
  created_at: number;
}

/** One entry of a resident's in-app inbox (issue 10 item 8). */
export interface NoticesTable {
  id: string;
  resident_id: number;
  kind: 'colour_changed' | 'appeal_answered' | 'appeal_escalated' | 'feedback_answered';
  detail: string;
  created_at: number;
  read_at: number | null;
}

/** SMS still to send for a notice (a text with no health detail), drained by a scheduled job. */
export interface NoticeOutboxTable {
  id: Generated<number>;
  resident_id: number;
  notice_id: string;
  attempts: Generated<number>;
  next_attempt_at: number | null;
  sent_at: number | null;
  last_error: string | null;
  created_at: number;
}

/** An officer's colour override (issue 10 item 4, P4): in force from approved_at until ends_at. */
export interface ColourOverridesTable {
  id: string;
  resident_id: number;
  division_code: string;
  colour: 'green' | 'yellow' | 'red';
  reason: string;
  ends_at: number;
  requested_by: number;
  requested_at: number;
  approved_by: number | null;
  approved_at: number | null;
}

/** A resident's complaint about a venue (issue 10 item 5, S16), for the venue's district. */
export interface VenueComplaintsTable {
  id: string;
  venue_id: number;
  division_code: string;
  resident_id: number;
  kind: 'does_not_check' | 'records_health_info' | 'turns_green_away';
  text: string;
  filed_at: number;
}

/** A partner channel (issue 11 item 1, S2), registered by a provincial admin. */
export interface ChannelsTable {
  id: Generated<number>;
  /** Public, e.g. `ch_…`; the HTTP Basic user name of the token endpoint. */
  client_id: string;
  name: string;
  /** JSON array of scope names. */
  scopes: string;
  rate_limit_per_minute: number;
  created_at: number;
  created_by: number | null;
  disabled_at: number | null;
}

/** A channel's client secret as SHA-256; a rotated-out one works until `expires_at`. */
export interface ChannelSecretsTable {
  id: Generated<number>;
  channel_id: number;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
}

/** Requests of one channel in one minute (its start, epoch ms), counted atomically on every node. */
export interface ChannelUsageTable {
  channel_id: number;
  minute: number;
  requests: number;
  refused: number;
}
