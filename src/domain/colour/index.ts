export { assessColour } from './assess-colour.ts';
export type { Assessment, Reason } from './assess-colour.ts';
export { DEFAULT_POLICY } from './default-policy.ts';
export {
  DEFAULT_APPEAL_DEADLINE_HOURS,
  DEFAULT_FEEDBACK_RETENTION_DAYS,
  DEFAULT_NOTICE_RETENTION_DAYS,
  DEFAULT_RETENTION,
  DEFAULT_SERVICES,
  MIN_FACT_RETENTION_DAYS,
  VENUE_COMPLAINT_WINDOW_DAYS,
  validatePolicy,
} from './policy.ts';
export type { Policy, PolicyRule, Retention, Services } from './policy.ts';
export { REASON_PLACEHOLDERS } from './reason-text.ts';
export { divisionCovers, stayRiskLevel } from './risk-level.ts';
export { effectiveFacts, ENDED_BY_DISCHARGE } from './corrections.ts';
export type { FactCorrection } from './corrections.ts';
export { OVERRIDE_MAX_DAYS, OVERRIDE_MAX_MS, OVERRIDE_RULE_ID, overrideInForce } from './overrides.ts';
export type { ColourOverride } from './overrides.ts';
