/** Venues (S4, S5) and the checkpoint at their entrance (S6, S11, S12). */
export { NO_CODE_NO_ENTRY_KINDS, VENUE_KINDS, VENUE_KIND_LABEL, isVenueKind } from './venue-kinds.ts';
export type { VenueKind } from './venue-kinds.ts';
export { ADDRESS_DETAIL_MAX, CONTACT_NAME_MAX, VENUE_NAME_MAX, validateVenueInput } from './venue-input.ts';
export type { VenueInput } from './venue-input.ts';
export {
  MAX_TEMPERATURE_DECI_C,
  MIN_TEMPERATURE_DECI_C,
  formatDeciCelsius,
  validateTemperature,
} from './temperature.ts';
export type { DeciCelsius, TemperatureIssueCode } from './temperature.ts';
export {
  CODE_CHECKS,
  DEFAULT_CHECKPOINT_POLICY,
  checkpointRule,
  validateCheckpointPolicy,
} from './checkpoint-policy.ts';
export type { CheckpointPolicy, CheckpointRule, CodeCheck } from './checkpoint-policy.ts';
export { REFUSAL_REASONS, decideCheck, refusalReasonText } from './checkpoint-decision.ts';
export type {
  AppliedChecks,
  CheckpointCode,
  CheckpointDecision,
  CheckpointInput,
  RefusalReason,
} from './checkpoint-decision.ts';
