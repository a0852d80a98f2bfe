// Docker's restart policies (HostConfig.RestartPolicy): whether a run that just ended starts again.
import type { ContainerRecord } from '../../model/container.js';

/** `always` and `unless-stopped` restart; `on-failure` on a non-zero code, up to MaximumRetryCount. */
export function shouldRestart(rec: ContainerRecord, code: number): boolean {
  const p = rec.HostConfig.RestartPolicy ?? {};
  if (rec.RemovalInProgress) return false;
  if (p.Name === 'always' || p.Name === 'unless-stopped') return true;
  if (p.Name === 'on-failure') return code !== 0 && (!p.MaximumRetryCount || rec.RestartCount < p.MaximumRetryCount);
  return false;
}
