// `compose up`: resources, images, then each service converged in dependency order (independent ones in
// parallel, each after its dependencies' conditions hold). Detached it returns then (or after --wait);
// attached it streams every container's prefixed logs until they exit or the caller stops it (Ctrl-C).
import type { Writable } from 'node:stream';
import { ComposeError } from '../errors.js';
import type { Project } from '../model/types.js';
import type { ComposeApi } from './api.js';
import { nameOf, projectContainers, serviceOf } from './containers.js';
import { awaitDependencies, convergeService, restartForDependencies, stopAndRemove, type ConvergeOptions } from './converge.js';
import { inDependencyOrder, selectServices } from './graph.js';
import { ensureImages } from './images.js';
import { displayName, followContainer, LogPrinter } from './log-stream.js';
import type { Progress } from './progress.js';
import { ensureResources } from './resources.js';

export interface UpOptions extends ConvergeOptions {
  services: string[];
  noDeps?: boolean;
  build?: boolean;
  noBuild?: boolean;
  pull?: string;
  removeOrphans?: boolean;
  detach?: boolean;
  wait?: boolean;
  /** Seconds for --wait (default: no bound besides the health poll's). */
  waitTimeout?: number;
}

/** Containers of this project whose service is no longer in the file (profiles-disabled ones do not count). */
export async function orphans(api: ComposeApi, project: Project) {
  const all = await projectContainers(api, project.name);
  return all.filter((c) => !project.services[serviceOf(c)] && !project.disabledServices[serviceOf(c)]);
}

export async function handleOrphans(api: ComposeApi, project: Project, progress: Progress, remove: boolean): Promise<void> {
  const found = await orphans(api, project);
  if (!found.length) return;
  if (!remove) {
    progress.warn(`Found orphan containers (${found.map(nameOf).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
    return;
  }
  await Promise.all(found.map((c) => stopAndRemove(api, c, progress)));
}

/** Brings the selected services up; returns the selected service names. */
export async function up(api: ComposeApi, project: Project, progress: Progress, o: UpOptions): Promise<string[]> {
  const selected = selectServices(project, o.services, o.noDeps);
  await ensureResources(api, project, selected, progress);
  await ensureImages(api, project, selected, progress, { build: o.build, noBuild: o.noBuild, pull: o.pull });
  await handleOrphans(api, project, progress, !!o.removeOrphans);
  const selectedSet = new Set(selected);
  const changed = new Set<string>();
  await inDependencyOrder(project, selected, async (name) => {
    const svc = project.services[name];
    await awaitDependencies(api, project, svc, progress, selectedSet);
    const r = await convergeService(api, project, svc, progress, o);
    if (r.changed) changed.add(name);
    else if (!o.noStart) await restartForDependencies(api, project, svc, progress, changed);
  });
  if (o.wait) await waitForServices(api, project, selected, progress);
  return selected;
}

/** --wait: every container running, and healthy where it has a health check. */
export async function waitForServices(api: ComposeApi, project: Project, services: string[], progress: Progress): Promise<void> {
  const containers = await projectContainers(api, project.name, { services });
  await Promise.all(containers.map(async (c) => {
    const name = nameOf(c);
    progress.event('Container', name, 'Waiting');
    for (let i = 0; i < 1800; i++) {
      const info = await api.inspect(c.Id);
      const h = info.State.Health?.Status;
      if (h === 'unhealthy') throw new ComposeError('failed', `container ${name} is unhealthy`);
      if (!info.State.Running) {
        if (info.State.ExitCode === 0 && project.services[serviceOf(c)]?.restart !== 'always') { progress.event('Container', name, 'Exited'); return; }
        throw new ComposeError('failed', `container ${name} exited (${info.State.ExitCode})`);
      }
      if (!h || h === 'healthy') { progress.event('Container', name, h ? 'Healthy' : 'Running'); return; }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new ComposeError('failed', `container ${name} did not become healthy`);
  }));
}

/**
 * Attached mode: follows the logs of the services' containers; resolves when every stream has ended
 * (the containers exited) or when `stop` resolves (Ctrl-C), then prints how each container exited.
 * Output since `sinceSeconds` (when up began) is included, so nothing a new container printed is lost.
 */
export async function attachLogs(api: ComposeApi, project: Project, services: string[], out: Writable, colour: boolean, stop: Promise<void>, sinceSeconds: number): Promise<void> {
  const containers = await projectContainers(api, project.name, { services, all: true });
  const printer = new LogPrinter(out, { colour, prefix: true });
  const names = containers.map((c) => displayName(project.name, nameOf(c)));
  names.forEach((n) => printer.register(n));
  out.write(`Attaching to ${names.join(', ')}\n`);
  const streams = containers.map(async (c, i) => {
    await followContainer(api, printer, c.Id, names[i], { follow: true, since: String(sinceSeconds) }).catch(() => undefined);
    const info = await api.inspect(c.Id).catch(() => undefined);
    if (info && !info.State.Running) printer.line(names[i], `exited with code ${info.State.ExitCode}`);
  });
  await Promise.race([Promise.all(streams), stop]);
}
