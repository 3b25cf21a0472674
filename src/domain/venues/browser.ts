/**
 * The part of the venue domain a browser can bundle (the checkpoint page decides offline with it):
 * everything but venue registration, whose validation needs Node's crypto through identity/.
 */
export { NO_CODE_NO_ENTRY_KINDS, VENUE_KINDS, VENUE_KIND_LABEL, isVenueKind } from './venue-kinds.ts';
export type { VenueKind } from './venue-kinds.ts';
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
