import type { Caller } from '../db/transactions.ts';
import { forbidden } from '../http/errors.ts';

/** Moderation (approving, rejecting, deleting sources) and managing members are for admins. */
export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden('this action needs the admin role');
}
