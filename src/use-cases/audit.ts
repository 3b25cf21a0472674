import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/** Records a staff member's action that concerns no one resident in the audit log (P3). */
export function recordStaffAction(
  p: Platform,
  staff: Principal & { kind: 'staff' },
  action: string,
  detail: unknown,
  at: number = p.clock.now(),
): Promise<void> {
  return p.auditLog.write({
    at,
    actorKind: 'staff',
    actorId: staff.staffId,
    action,
    residentId: null,
    detail,
  });
}
