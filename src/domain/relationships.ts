/**
 * What a family member is to their proxy (S3). Plain data, so the web app can list them without
 * the API contract's schema library (src/contracts/family.ts builds its schemas from it).
 */
export const RELATIONSHIPS = [
  'spouse',
  'parent',
  'child',
  'grandparent',
  'grandchild',
  'sibling',
  'other',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
