// Docker's restart policies: names, retry counts, and the checks dockerd makes at create and update.
import { invalidArgument } from '../../errors.js';

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';
export interface RestartPolicy { Name: RestartPolicyName; MaximumRetryCount: number }

export function validateRestartPolicy(p: { Name?: string; MaximumRetryCount?: number } | undefined): RestartPolicy {
  const name = p?.Name || 'no';
  const count = p?.MaximumRetryCount ?? 0;
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name)) throw invalidArgument(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (count < 0) throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (count > 0 && name !== 'on-failure') throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  return { Name: name as RestartPolicyName, MaximumRetryCount: count };
}

/** Docker refuses --rm with a restart policy on the daemon side too. */
export function checkAutoRemove(autoRemove: boolean | undefined, p: RestartPolicy): void {
  if (autoRemove && p.Name !== 'no') throw invalidArgument("can't create 'AutoRemove' container with restart policy");
}
