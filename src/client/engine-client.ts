// The typed Engine API client: one method per endpoint the CLI uses, each a thin call over Transport.
import type { Readable } from 'node:stream';
import { Transport, type HijackedStream, type ApiResponse } from './transport.js';
import { resolveAddress, type ConnectionFlags, type DaemonAddress } from './host.js';
import type {
  ContainerCreateBody, ContainerCreateResponse, ContainerInspect, ContainerSummary, DiskUsage, Filters,
  HistoryItem, ImageSummary, InfoResponse, PruneResponse, DeleteItem, TopResponse, VersionResponse, WaitResponse, ChangeItem,
} from './types.js';

/** Docker's filters query value: `{"key":{"value":true}}`. */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const [k, values] of Object.entries(filters)) {
    out[k] = {};
    for (const v of values) out[k][v] = true;
  }
  return JSON.stringify(out);
}

const enc = encodeURIComponent;

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface AttachOptions { stdin?: boolean; stdout?: boolean; stderr?: boolean; stream?: boolean; logs?: boolean; detachKeys?: string }
export interface LogsOptions { follow?: boolean; stdout?: boolean; stderr?: boolean; since?: string; until?: string; timestamps?: boolean; tail?: string }

export class EngineClient {
  readonly transport: Transport;

  constructor(readonly address: DaemonAddress) {
    this.transport = new Transport(address);
  }

  static fromFlags(flags: ConnectionFlags, env: Record<string, string | undefined> = process.env): EngineClient {
    return new EngineClient(resolveAddress(flags, env));
  }

  // --- system
  ping(): Promise<string> { return this.transport.text({ method: 'GET', path: '/_ping' }); }
  version(): Promise<VersionResponse> { return this.transport.json({ method: 'GET', path: '/version' }); }
  info(): Promise<InfoResponse> { return this.transport.json({ method: 'GET', path: '/info' }); }
  diskUsage(): Promise<DiskUsage> { return this.transport.json({ method: 'GET', path: '/system/df' }); }
  events(q: { since?: string; until?: string; filters?: Filters }): Promise<ApiResponse> {
    return this.transport.request({ method: 'GET', path: '/events', query: { since: q.since, until: q.until, filters: encodeFilters(q.filters) } });
  }

  // --- containers
  containerList(q: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    return this.transport.json({ method: 'GET', path: '/containers/json', query: { all: q.all, limit: q.limit, size: q.size, filters: encodeFilters(q.filters) } });
  }
  containerCreate(body: ContainerCreateBody, name?: string, platform?: string): Promise<ContainerCreateResponse> {
    return this.transport.json({ method: 'POST', path: '/containers/create', query: { name, platform }, json: body });
  }
  containerInspect(id: string, size = false): Promise<ContainerInspect> {
    return this.transport.json({ method: 'GET', path: `/containers/${enc(id)}/json`, query: { size } });
  }
  /** One stats object (`stream` false) or the response streaming one a second. */
  containerStats(id: string, stream: boolean): Promise<ApiResponse> {
    return this.transport.request({ method: 'GET', path: `/containers/${enc(id)}/stats`, query: { stream } });
  }
  containerUpdate(id: string, body: Record<string, unknown>): Promise<{ Warnings?: string[] | null }> {
    return this.transport.json({ method: 'POST', path: `/containers/${enc(id)}/update`, json: body });
  }
  containerStart(id: string): Promise<string> { return this.transport.text({ method: 'POST', path: `/containers/${enc(id)}/start` }); }
  containerStop(id: string, q: { t?: number; signal?: string }): Promise<string> {
    return this.transport.text({ method: 'POST', path: `/containers/${enc(id)}/stop`, query: { t: q.t, signal: q.signal } });
  }
  containerRestart(id: string, q: { t?: number; signal?: string }): Promise<string> {
    return this.transport.text({ method: 'POST', path: `/containers/${enc(id)}/restart`, query: { t: q.t, signal: q.signal } });
  }
  containerKill(id: string, signal?: string): Promise<string> {
    return this.transport.text({ method: 'POST', path: `/containers/${enc(id)}/kill`, query: { signal } });
  }
  containerRemove(id: string, q: { force?: boolean; v?: boolean; link?: boolean }): Promise<string> {
    return this.transport.text({ method: 'DELETE', path: `/containers/${enc(id)}`, query: { force: q.force, v: q.v, link: q.link } });
  }
  containerRename(id: string, name: string): Promise<string> {
    return this.transport.text({ method: 'POST', path: `/containers/${enc(id)}/rename`, query: { name } });
  }
  containerTop(id: string, psArgs?: string): Promise<TopResponse> {
    return this.transport.json({ method: 'GET', path: `/containers/${enc(id)}/top`, query: { ps_args: psArgs } });
  }
  containerChanges(id: string): Promise<ChangeItem[] | null> {
    return this.transport.json({ method: 'GET', path: `/containers/${enc(id)}/changes` });
  }
  containerResize(id: string, h: number, w: number): Promise<string> {
    return this.transport.text({ method: 'POST', path: `/containers/${enc(id)}/resize`, query: { h, w } });
  }
  /** Resolves with the wait response once the condition is met. */
  async containerWait(id: string, condition?: WaitCondition): Promise<WaitResponse> {
    return this.transport.json({ method: 'POST', path: `/containers/${enc(id)}/wait`, query: { condition } });
  }
  /**
   * Registers a wait and resolves when the daemon has answered the headers (Docker flushes them once the
   * wait is in place, so a start sent afterwards cannot race past it); `result` gives the exit status.
   */
  containerWaitRegistered(id: string, condition?: WaitCondition): { registered: Promise<void>; result: Promise<WaitResponse> } {
    const res = this.transport.request({ method: 'POST', path: `/containers/${enc(id)}/wait`, query: { condition } });
    const result = res.then(async (r) => {
      const chunks: Buffer[] = [];
      for await (const c of r) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      return (text ? JSON.parse(text) : { StatusCode: 0 }) as WaitResponse;
    });
    const registered = res.then(() => undefined);
    // Callers await these later; mark them handled so an early failure is not an unhandled rejection.
    result.catch(() => undefined);
    registered.catch(() => undefined);
    return { registered, result };
  }
  containerAttach(id: string, o: AttachOptions): Promise<HijackedStream> {
    return this.transport.hijack({ method: 'POST', path: `/containers/${enc(id)}/attach`, query: { stderr: o.stderr, stdin: o.stdin, stdout: o.stdout, stream: o.stream, logs: o.logs, detachKeys: o.detachKeys } });
  }
  containerLogs(id: string, o: LogsOptions): Promise<ApiResponse> {
    return this.transport.request({ method: 'GET', path: `/containers/${enc(id)}/logs`, query: { follow: o.follow, stderr: o.stderr, stdout: o.stdout, since: o.since, until: o.until, timestamps: o.timestamps, tail: o.tail } });
  }
  containerPrune(filters?: Filters): Promise<PruneResponse> {
    return this.transport.json({ method: 'POST', path: '/containers/prune', query: { filters: encodeFilters(filters) } });
  }

  // --- images
  imageList(q: { all?: boolean; digests?: boolean; filters?: Filters }): Promise<ImageSummary[]> {
    return this.transport.json({ method: 'GET', path: '/images/json', query: { all: q.all, digests: q.digests, filters: encodeFilters(q.filters) } });
  }
  imageInspect(ref: string): Promise<Record<string, unknown>> {
    return this.transport.json({ method: 'GET', path: `/images/${ref}/json` });
  }
  imageRemove(ref: string, q: { force?: boolean; noprune?: boolean }): Promise<DeleteItem[]> {
    return this.transport.json({ method: 'DELETE', path: `/images/${ref}`, query: { force: q.force, noprune: q.noprune } });
  }
  imageTag(ref: string, repo: string, tag?: string): Promise<string> {
    return this.transport.text({ method: 'POST', path: `/images/${ref}/tag`, query: { repo, tag } });
  }
  imageHistory(ref: string): Promise<HistoryItem[]> {
    return this.transport.json({ method: 'GET', path: `/images/${ref}/history` });
  }
  imageSave(names: string[]): Promise<ApiResponse> {
    return this.transport.request({ method: 'GET', path: '/images/get', query: { names } });
  }
  imageLoad(body: Readable, quiet: boolean): Promise<ApiResponse> {
    return this.transport.request({ method: 'POST', path: '/images/load', query: { quiet }, body, headers: { 'Content-Type': 'application/x-tar' } });
  }
  /** POST /images/create?fromSrc=...: the archive as the body (fromSrc `-`) or a URL for the daemon to fetch. */
  imageImport(body: Readable | undefined, q: { fromSrc: string; repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string }): Promise<ApiResponse> {
    return this.transport.request({
      method: 'POST', path: '/images/create',
      query: { fromSrc: q.fromSrc, repo: q.repo, tag: q.tag, message: q.message, changes: q.changes, platform: q.platform },
      body, headers: { 'Content-Type': 'application/x-tar' },
    });
  }
  imagePull(fromImage: string, tag?: string, opts: { platform?: string; auth?: string } = {}): Promise<ApiResponse> {
    return this.transport.request({ method: 'POST', path: '/images/create', query: { fromImage, tag, platform: opts.platform }, headers: opts.auth ? { 'X-Registry-Auth': opts.auth } : {} });
  }
  /** POST /images/{name}/push: `tag` empty pushes every tag of the repository. */
  imagePush(name: string, tag: string | undefined, auth: string): Promise<ApiResponse> {
    return this.transport.request({ method: 'POST', path: `/images/${name}/push`, query: { tag }, headers: { 'X-Registry-Auth': auth } });
  }
  /** POST /auth: checks credentials against the registry. */
  login(body: { username?: string; password?: string; serveraddress: string; identitytoken?: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return this.transport.json({ method: 'POST', path: '/auth', json: body });
  }
  imageSearch(term: string, limit?: number, filters?: Filters, auth?: string): Promise<Array<{ name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }>> {
    return this.transport.json({ method: 'GET', path: '/images/search', query: { term, limit, filters: encodeFilters(filters) }, headers: auth ? { 'X-Registry-Auth': auth } : {} });
  }
  imagePrune(filters?: Filters): Promise<PruneResponse> {
    return this.transport.json({ method: 'POST', path: '/images/prune', query: { filters: encodeFilters(filters) } });
  }
}
