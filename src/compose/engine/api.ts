// The Engine API calls compose makes, over the shared client (src/client): containers through its typed
// methods, networks, volumes, builds and execs through its transport. Compose knows nothing else of berthd.
import type { Readable } from 'node:stream';
import type { EngineClient } from '../../client/engine-client.js';
import { encodeFilters } from '../../client/engine-client.js';
import { DaemonError } from '../../client/errors.js';
import type { ApiResponse, HijackedStream } from '../../client/transport.js';
import type { ContainerCreateBody, ContainerInspect, ContainerSummary, Filters } from '../../client/types.js';

const enc = encodeURIComponent;

export interface NetworkSummary { Id: string; Name: string; Labels?: Record<string, string> | null; Containers?: Record<string, unknown> }
export interface VolumeSummary { Name: string; Labels?: Record<string, string> | null }

export interface HealthState { Status?: string }
export type InspectWithHealth = ContainerInspect & { State: ContainerInspect['State'] & { Health?: HealthState } };

export function isNotFound(err: unknown): boolean {
  return err instanceof DaemonError && err.status === 404;
}

export class ComposeApi {
  constructor(readonly client: EngineClient) {}

  private get t() { return this.client.transport; }

  containers(filters: Filters, all = true): Promise<ContainerSummary[]> { return this.client.containerList({ all, filters }); }
  create(body: ContainerCreateBody, name: string): Promise<{ Id: string; Warnings?: string[] | null }> { return this.client.containerCreate(body, name); }
  inspect(id: string): Promise<InspectWithHealth> { return this.client.containerInspect(id) as Promise<InspectWithHealth>; }
  start(id: string): Promise<string> { return this.client.containerStart(id); }
  stop(id: string, timeout?: number): Promise<string> { return this.client.containerStop(id, { t: timeout }); }
  restart(id: string, timeout?: number): Promise<string> { return this.client.containerRestart(id, { t: timeout }); }
  kill(id: string, signal?: string): Promise<string> { return this.client.containerKill(id, signal); }
  remove(id: string, opts: { force?: boolean; volumes?: boolean }): Promise<string> { return this.client.containerRemove(id, { force: opts.force, v: opts.volumes }); }
  rename(id: string, name: string): Promise<string> { return this.client.containerRename(id, name); }
  pause(id: string): Promise<string> { return this.t.text({ method: 'POST', path: `/containers/${enc(id)}/pause` }); }
  unpause(id: string): Promise<string> { return this.t.text({ method: 'POST', path: `/containers/${enc(id)}/unpause` }); }
  wait(id: string) { return this.client.containerWait(id); }
  logs(id: string, o: { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string }): Promise<ApiResponse> {
    return this.client.containerLogs(id, { stdout: true, stderr: true, ...o });
  }
  attach(id: string, stdin: boolean): Promise<HijackedStream> {
    return this.client.containerAttach(id, { stream: true, stdin, stdout: true, stderr: true });
  }
  top(id: string) { return this.client.containerTop(id); }

  networks(filters: Filters): Promise<NetworkSummary[]> {
    return this.t.json({ method: 'GET', path: '/networks', query: { filters: encodeFilters(filters) } });
  }
  async networkInspect(name: string): Promise<NetworkSummary | undefined> {
    try { return await this.t.json({ method: 'GET', path: `/networks/${enc(name)}` }); } catch (err) { if (isNotFound(err)) return undefined; throw err; }
  }
  networkCreate(body: Record<string, unknown>): Promise<{ Id: string }> { return this.t.json({ method: 'POST', path: '/networks/create', json: body }); }
  networkRemove(name: string): Promise<string> { return this.t.text({ method: 'DELETE', path: `/networks/${enc(name)}` }); }

  volumes(filters: Filters): Promise<{ Volumes: VolumeSummary[] | null }> {
    return this.t.json({ method: 'GET', path: '/volumes', query: { filters: encodeFilters(filters) } });
  }
  async volumeInspect(name: string): Promise<VolumeSummary | undefined> {
    try { return await this.t.json({ method: 'GET', path: `/volumes/${enc(name)}` }); } catch (err) { if (isNotFound(err)) return undefined; throw err; }
  }
  volumeCreate(body: Record<string, unknown>): Promise<VolumeSummary> { return this.t.json({ method: 'POST', path: '/volumes/create', json: body }); }
  volumeRemove(name: string): Promise<string> { return this.t.text({ method: 'DELETE', path: `/volumes/${enc(name)}` }); }

  async imageExists(ref: string): Promise<boolean> {
    try { await this.client.imageInspect(ref); return true; } catch (err) { if (isNotFound(err)) return false; throw err; }
  }
  imageInspect(ref: string) { return this.client.imageInspect(ref); }
  imageRemove(ref: string) { return this.client.imageRemove(ref, {}); }
  imagePull(ref: string): Promise<ApiResponse> {
    const at = ref.lastIndexOf(':');
    const slash = ref.lastIndexOf('/');
    const [image, tag] = at > slash ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
    return this.client.imagePull(image, tag);
  }
  imagePush(ref: string): Promise<ApiResponse> {
    const at = ref.lastIndexOf(':');
    const slash = ref.lastIndexOf('/');
    const [image, tag] = at > slash ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, 'latest'];
    return this.t.request({ method: 'POST', path: `/images/${image}/push`, query: { tag }, headers: { 'X-Registry-Auth': Buffer.from('{}').toString('base64') } });
  }
  /** POST /build with the context as a tar stream (the classic builder's API). */
  build(context: Readable, q: Record<string, string | boolean | undefined>): Promise<ApiResponse> {
    return this.t.request({ method: 'POST', path: '/build', query: q, body: context, headers: { 'Content-Type': 'application/x-tar' } });
  }

  execCreate(id: string, body: Record<string, unknown>): Promise<{ Id: string }> {
    return this.t.json({ method: 'POST', path: `/containers/${enc(id)}/exec`, json: body });
  }
  execStart(execId: string, tty: boolean): Promise<HijackedStream> {
    return this.t.hijack({ method: 'POST', path: `/exec/${execId}/start`, json: { Detach: false, Tty: tty } });
  }
  execStartDetached(execId: string, tty: boolean): Promise<string> {
    return this.t.text({ method: 'POST', path: `/exec/${execId}/start`, json: { Detach: true, Tty: tty } });
  }
  execInspect(execId: string): Promise<{ ExitCode: number | null; Running: boolean }> {
    return this.t.json({ method: 'GET', path: `/exec/${execId}/json` });
  }
  events(filters: Filters): Promise<ApiResponse> { return this.client.events({ filters }); }
}
