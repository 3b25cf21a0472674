/** Bulk imports of epidemic records (issue 3): the kinds, their validation, the readers, and facts. */
export {
  CSV_LIST_SEPARATOR,
  csvHeader,
  IMPORT_KIND_SPECS,
  IMPORT_KINDS,
  importKindSpec,
  isImportKind,
} from './kinds.ts';
export type { FieldTarget, FieldType, ImportField, ImportKind, ImportKindSpec } from './kinds.ts';
export { ROW_PATH, TEST_KINDS, TEST_RESULTS, validateImportRow } from './validate-row.ts';
export type { EpidemicRecord, RecordAttributes, RowFormat, TestKind, TestResult } from './validate-row.ts';
export { ImportFileError, MAX_LINE_BYTES, MAX_RECORD_BYTES, readImport } from './read-import.ts';
export type { ImportFileErrorCode, ImportFormat, ImportRow } from './read-import.ts';
export { factsFromRecords, importFactId, quarantineEnd } from './facts-from-records.ts';
export type { RecordForFacts } from './facts-from-records.ts';
