export {
  CERTLOGIC_SPECIFICATION_VERSION,
  certLogicIssues,
  certLogicTruthiness,
  evaluateCertLogic,
  evaluateValidCertLogic,
  validateCertLogic,
} from './certlogic.ts';
export type { CertLogicExpression, CertLogicIssue, CertLogicResult } from './certlogic.ts';
export { evaluateRuleLine } from './rule-line.ts';
