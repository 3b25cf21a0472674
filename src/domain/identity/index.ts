/** Identity checks for the resident application (S1), health card ids (S17) and masking (S18). */
export {
  DOCUMENT_TYPES,
  isDocumentType,
  isResidentIdAreaCode,
  normalizeDocumentNumber,
  validateDocument,
} from './documents.ts';
export type { DocumentIssueCode, DocumentType, ValidDocument } from './documents.ts';
export { validateMobile } from './mobile.ts';
export type { MobileIssueCode } from './mobile.ts';
export {
  childDivisions,
  divisionPath,
  findDivision,
  isProvinceCode,
  validateAddressDivision,
} from './divisions.ts';
export type { AddressIssueCode, Division, DivisionLevel } from './divisions.ts';
export { maskDocumentNumber, maskMobile, maskName } from './masking.ts';
export { deriveDocumentKey, deriveHealthCardId, MIN_SECRET_BYTES } from './health-card.ts';
export type { DocumentRef } from './health-card.ts';
export { gb11643CheckCharacter } from './gb11643.ts';
