import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import { validatePolicy } from './policy.ts';
import type { Policy } from './policy.ts';

function loadDefaultPolicy(): Policy {
  const checked = validatePolicy(defaultPolicyJson);
  if (!checked.ok) {
    // The file ships with the code and its tests validate it, so this only fires on a broken edit.
    throw new Error(
      `default-policy.json is invalid: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  return checked.value;
}

/**
 * The 2020 Shandong colour rules (S10) as policy version '2020.1', from default-policy.json: the
 * policy in force until the authority publishes another.
 */
export const DEFAULT_POLICY: Policy = loadDefaultPolicy();
