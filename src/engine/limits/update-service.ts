// POST /containers/{id}/update: new limits merged over the old ones with Docker's rules, written to a
// running container's cgroups through its runtime at once, kept in HostConfig for the next start; and
// the restart policy.
import { invalidArgument } from '../../errors.js';
import type { RuntimeEntry } from '../../runtime/runtimes.js';
import { ociResources } from '../../runtime/cgroups/resources.js';
import { runtimeUpdate } from '../../runtime/cgroups/update.js';
import { processAlive } from '../../util/process-alive.js';
import type { EventBus } from '../../model/events.js';
import type { ContainerService } from '../containers/container-service.js';
import { runtimeRef } from '../containers/launch.js';
import type { HostConfig } from '../../model/container.js';
import { limitsOf, mergeUpdate, normalizeResources, UPDATABLE, type ResourceFields } from './limits-config.js';
import { validateRestartPolicy, type RestartPolicy } from './restart-policy-config.js';

export interface UpdateRequest extends ResourceFields { RestartPolicy?: RestartPolicy }

export class UpdateService {
  constructor(private readonly opts: { config: { runtimes: Record<string, RuntimeEntry> }; containers: ContainerService; events: EventBus }) {}

  /** Validated, applied to the running container, then written to the record: through containers.update (its lock, one save). */
  async update(ref: string, body: UpdateRequest): Promise<{ Warnings: string[] }> {
    const c = this.opts.containers;
    const found = c.resolve(ref);
    const warnings = await c.update(found.Id, async (rec) => {
      const hc = rec.HostConfig as HostConfig & ResourceFields;
      const update: ResourceFields = {};
      for (const k of UPDATABLE) if (body[k] !== undefined && body[k] !== null) (update as Record<string, unknown>)[k] = body[k];
      const merged = mergeUpdate(hc, update, rec.Id);
      const warnings = normalizeResources(merged);
      let policy: RestartPolicy | undefined;
      if (body.RestartPolicy?.Name) {
        policy = validateRestartPolicy(body.RestartPolicy);
        if (hc.AutoRemove && policy.Name !== 'no') throw invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
      }
      // The docker CLI sends every resource field, zero for "unchanged": the runtime is asked only when a
      // limit really changes (`update --restart no` of a crash-looping container must not race its exits).
      const changed = UPDATABLE.some((k) => JSON.stringify(merged[k] ?? null) !== JSON.stringify((hc as ResourceFields)[k] ?? null));
      if (changed && c.isRunning(rec) && rec.State.Status !== 'restarting') {
        const rt = runtimeRef(this.opts.config, c.paths, rec.Runtime);
        try {
          await runtimeUpdate(rt.path, ['--root', rt.root, ...rt.args], rec.Id, ociResources(limitsOf(merged)));
        } catch (err) {
          // The process exited meanwhile: as dockerd, the new limits apply at the next start.
          if (processAlive(rec.State.Pid)) throw err;
        }
      }
      for (const k of UPDATABLE) if (merged[k] !== undefined) (hc as Record<string, unknown>)[k] = merged[k];
      if (policy) hc.RestartPolicy = policy;
      return warnings;
    });
    this.opts.events.publish('container', 'update', found.Id, c.attributes(found));
    return { Warnings: warnings };
  }
}
