// Bringing one service to its desired state, as docker compose's convergence does: containers whose
// config hash (or image) changed are recreated, missing replicas created, surplus ones removed, stopped
// ones started, and everything else left alone ("Running"). Dependencies' conditions are awaited first.
import type { ContainerSummary } from '../../client/types.js';
import { ComposeError } from '../errors.js';
import type { DependsOn, Project, ServiceConfig } from '../model/types.js';
import type { ComposeApi } from './api.js';
import { nameOf, numberOf, projectContainers } from './containers.js';
import { createBody } from './convert.js';
import { containerName, defaultImageName, LABEL, serviceHash } from './labels.js';
import type { Progress } from './progress.js';

export interface ConvergeOptions {
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noStart?: boolean;
  scale?: Record<string, number>;
  /** Seconds to wait for stop before kill; defaults to the service's stop_grace_period. */
  timeout?: number;
}

const POLL_MS = 500;
/** Bound for waiting on a dependency's health or completion (docker compose waits as long as it takes). */
const MAX_WAIT_MS = 15 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function imageId(api: ComposeApi, ref: string): Promise<string | undefined> {
  try { return String((await api.imageInspect(ref)).Id); } catch { return undefined; }
}

async function waitHealthy(api: ComposeApi, c: ContainerSummary, progress: Progress): Promise<void> {
  const name = nameOf(c);
  progress.event('Container', name, 'Waiting');
  for (let waited = 0; waited < MAX_WAIT_MS; waited += POLL_MS) {
    const info = await api.inspect(c.Id);
    const health = info.State.Health?.Status;
    if (!info.Config.Healthcheck && !info.State.Health) throw new ComposeError('failed', `dependency failed to start: container ${name} has no healthcheck configured`);
    if (health === 'healthy') { progress.event('Container', name, 'Healthy'); return; }
    if (health === 'unhealthy') { progress.event('Container', name, 'Error'); throw new ComposeError('failed', `dependency failed to start: container ${name} is unhealthy`); }
    if (!info.State.Running && info.State.Status !== 'restarting') throw new ComposeError('failed', `dependency failed to start: container ${name} exited (${info.State.ExitCode})`);
    await sleep(POLL_MS);
  }
  throw new ComposeError('failed', `dependency failed to start: container ${name} did not become healthy`);
}

async function waitCompleted(api: ComposeApi, c: ContainerSummary, progress: Progress, service: string): Promise<void> {
  const name = nameOf(c);
  progress.event('Container', name, 'Waiting');
  const r = await api.wait(c.Id);
  if (r.StatusCode !== 0) throw new ComposeError('failed', `service "${service}" didn't complete successfully: exit ${r.StatusCode}`);
  progress.event('Container', name, 'Exited');
}

export async function awaitDependencies(api: ComposeApi, project: Project, svc: ServiceConfig, progress: Progress, selected: Set<string>): Promise<void> {
  await Promise.all(Object.entries(svc.depends_on).map(async ([dep, d]: [string, DependsOn]) => {
    if (!selected.has(dep) || d.condition === 'service_started') return;
    const containers = await projectContainers(api, project.name, { services: [dep] });
    if (!containers.length && d.required) throw new ComposeError('failed', `dependency failed to start: service "${dep}" has no container`);
    for (const c of containers) {
      if (d.condition === 'service_healthy') await waitHealthy(api, c, progress);
      else await waitCompleted(api, c, progress, dep);
    }
  }));
}

async function networkModeFor(api: ComposeApi, project: Project, svc: ServiceConfig): Promise<string | undefined> {
  if (!svc.network_mode?.startsWith('service:')) return undefined;
  const other = svc.network_mode.slice('service:'.length);
  const [c] = await projectContainers(api, project.name, { services: [other] });
  if (!c) throw new ComposeError('failed', `service ${svc.name} uses the network stack of service ${other}, which has no container`);
  return `container:${c.Id}`;
}

async function createReplica(api: ComposeApi, project: Project, svc: ServiceConfig, n: number, image: string, progress: Progress, verb: 'Creat' | 'Recreat'): Promise<string> {
  const name = containerName(project.name, svc, n);
  progress.event('Container', name, verb === 'Creat' ? 'Creating' : 'Recreate');
  const body = createBody(project, svc, { number: n, name }, image);
  const mode = await networkModeFor(api, project, svc);
  if (mode) { body.HostConfig.NetworkMode = mode; delete body.NetworkingConfig; }
  const r = await api.create(body, name);
  progress.event('Container', name, verb === 'Creat' ? 'Created' : 'Recreated');
  return r.Id;
}

async function startContainer(api: ComposeApi, id: string, name: string, progress: Progress): Promise<void> {
  progress.event('Container', name, 'Starting');
  await api.start(id);
  progress.event('Container', name, 'Started');
}

export async function stopAndRemove(api: ComposeApi, c: ContainerSummary, progress: Progress, timeout?: number, volumes = false): Promise<void> {
  const name = nameOf(c);
  if (c.State === 'running' || c.State === 'paused' || c.State === 'restarting') {
    progress.event('Container', name, 'Stopping');
    await api.stop(c.Id, timeout);
    progress.event('Container', name, 'Stopped');
  }
  progress.event('Container', name, 'Removing');
  await api.remove(c.Id, { force: true, volumes });
  progress.event('Container', name, 'Removed');
}

/** Converges one service; returns its containers' ids and whether any was created or recreated. */
export async function convergeService(api: ComposeApi, project: Project, svc: ServiceConfig, progress: Progress, o: ConvergeOptions): Promise<{ ids: string[]; changed: boolean }> {
  const want = o.scale?.[svc.name] ?? svc.replicas;
  if (svc.container_name && want > 1) throw new ComposeError('failed', `services.${svc.name}: container_name "${svc.container_name}" is unique and cannot be used with ${want} replicas`);
  const image = defaultImageName(project.name, svc);
  const currentImage = await imageId(api, image);
  const hash = serviceHash(svc);
  const existing = await projectContainers(api, project.name, { services: [svc.name] });
  const timeout = o.timeout ?? svc.stop_grace_period;
  const ids: string[] = [];
  let changed = false;
  const byNumber = new Map<number, ContainerSummary>();
  for (const c of existing) {
    const n = numberOf(c);
    if (n < 1 || n > want || byNumber.has(n)) { await stopAndRemove(api, c, progress, timeout); continue; }
    byNumber.set(n, c);
  }
  await Promise.all(Array.from({ length: want }, (_, i) => i + 1).map(async (n) => {
    const c = byNumber.get(n);
    if (!c) {
      const id = await createReplica(api, project, svc, n, image, progress, 'Creat');
      changed = true;
      if (!o.noStart) await startContainer(api, id, containerName(project.name, svc, n), progress);
      ids.push(id);
      return;
    }
    const stale = c.Labels?.[LABEL.configHash] !== hash || (currentImage !== undefined && c.ImageID !== undefined && c.ImageID !== currentImage);
    if (!o.noRecreate && (o.forceRecreate || stale)) {
      const name = nameOf(c);
      if (c.State === 'running') await api.stop(c.Id, timeout);
      // The old container steps aside (docker compose renames it to <id>_<name>) until the new one exists.
      await api.rename(c.Id, `${c.Id.slice(0, 12)}_${name}`);
      const id = await createReplica(api, project, svc, n, image, progress, 'Recreat');
      changed = true;
      await api.remove(c.Id, { force: true });
      if (!o.noStart) await startContainer(api, id, name, progress);
      ids.push(id);
      return;
    }
    if (c.State === 'running') progress.event('Container', nameOf(c), 'Running');
    else if (!o.noStart) await startContainer(api, c.Id, nameOf(c), progress);
    ids.push(c.Id);
  }));
  return { ids, changed };
}

/** depends_on `restart: true`: a dependency that was recreated restarts this service's containers. */
export async function restartForDependencies(api: ComposeApi, project: Project, svc: ServiceConfig, progress: Progress, changed: Set<string>): Promise<void> {
  if (!Object.entries(svc.depends_on).some(([dep, d]) => d.restart && changed.has(dep))) return;
  for (const c of await projectContainers(api, project.name, { services: [svc.name], all: false })) {
    progress.event('Container', nameOf(c), 'Restarting');
    await api.restart(c.Id, svc.stop_grace_period);
    progress.event('Container', nameOf(c), 'Restarted');
  }
}
