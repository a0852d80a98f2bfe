// POST /build (the classic builder endpoint every Docker client uses without BuildKit) and POST /commit.
// The query is decoded once here into typed options; fields Berth does not implement are refused by name.
// The context is received before the 200, and the Dockerfile is planned before it too, so a bad upload or
// a Dockerfile syntax error is a plain HTTP error, as in Docker; step failures travel in the stream.
import type { ServerResponse } from 'node:http';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, sendJson, startStream, type RequestContext } from '../context.js';
import { readDecodedBody } from '../decode/body.js';
import { errorMessage, invalidArgument } from '../../errors.js';
import { log } from '../../util/log.js';
import { buildErrorMessage } from '../../build/builder.js';
import { BuildService } from '../../build/build-service.js';
import { enginePorts } from '../../build/engine-ports.js';
import { registryPuller } from '../../build/registry-puller.js';
import { decodeRegistryConfig } from '../../registry/client/auth.js';
import { registryOfServerAddress } from '../../images/image-registry.js';
import type { BuildMessage, BuildOptions } from '../../build/types.js';
import type { ImageRunConfig } from '../../model/image.js';

function jsonQuery<T>(q: URLSearchParams, name: string, fallback: T, check: (v: unknown) => boolean): T {
  const raw = q.get(name);
  if (raw === null || raw === '' || raw === 'null') return fallback;
  let v: unknown;
  try { v = JSON.parse(raw); } catch { throw invalidArgument(`invalid ${name} value: ${raw}`); }
  if (!check(v)) throw invalidArgument(`invalid ${name} value: ${raw}`);
  return v as T;
}

const isStringMap = (allowNull: boolean) => (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v)
  && Object.values(v as object).every((x) => typeof x === 'string' || (allowNull && x === null));

/** Query fields Docker accepts that Berth's builder does not apply: only their "unset" values pass. */
const REFUSED_UNLESS_DEFAULT: Array<[string, (v: string) => boolean]> = [
  ['memory', (v) => v === '0'], ['memswap', (v) => v === '0' || v === '-1'], ['cpushares', (v) => v === '0'],
  ['cpuperiod', (v) => v === '0'], ['cpuquota', (v) => v === '0'], ['cpusetcpus', (v) => v === ''], ['cpusetmems', (v) => v === ''],
  ['cgroupparent', (v) => v === ''], ['shmsize', (v) => v === '0'], ['squash', (v) => ['0', 'false', ''].includes(v)],
  ['ulimits', (v) => v === 'null' || v === '[]' || v === ''], ['outputs', (v) => v === '' || v === '[]' || v === 'null'],
  ['isolation', (v) => v === '' || v === 'default'], ['session', () => true], ['buildid', () => true],
];

export function decodeBuildQuery(q: URLSearchParams, registryConfig?: string): BuildOptions {
  for (const [name, ok] of REFUSED_UNLESS_DEFAULT) {
    const v = q.get(name);
    if (v !== null && !ok(v)) throw invalidArgument(`build option ${name}=${v} is not supported by Berth's builder`);
  }
  if (q.get('version') === '2') throw invalidArgument('BuildKit (version=2) is not supported: build with the classic builder (DOCKER_BUILDKIT=0)');
  const network = q.get('networkmode') || 'default';
  const networkMode = network === 'default' ? 'bridge' : network;
  const platform = q.get('platform') || undefined;
  if (platform && !['linux/amd64', 'linux', 'amd64', 'linux/x86_64'].includes(platform.toLowerCase())) throw invalidArgument(`"${platform}": unsupported platform: only linux/amd64 can be built here`);
  const pull = q.get('pull');
  return {
    dockerfile: (q.get('dockerfile') || 'Dockerfile').replace(/^\.\//, ''),
    tags: q.getAll('t').filter(Boolean),
    buildArgs: jsonQuery(q, 'buildargs', {}, isStringMap(true)),
    labels: jsonQuery(q, 'labels', {}, isStringMap(false)),
    target: q.get('target') || undefined,
    quiet: boolQuery(q, 'q'),
    rm: boolQuery(q, 'rm', true),
    forceRm: boolQuery(q, 'forcerm'),
    noCache: boolQuery(q, 'nocache'),
    // Docker's BoolValue: anything but an empty/false-ish value (docker-py sends `pull=False`) pulls.
    pull: pull !== null && !['', '0', 'no', 'false', 'none'].includes(pull.trim().toLowerCase()),
    cacheFrom: jsonQuery(q, 'cachefrom', [] as string[], (v) => Array.isArray(v) && v.every((x) => typeof x === 'string')),
    networkMode,
    platform: platform ? 'linux/amd64' : undefined,
    extraHosts: (q.get('extrahosts') ?? '').split(',').filter(Boolean),
    remote: q.get('remote') || undefined,
    registryAuth: decodeRegistryConfig(registryConfig, registryOfServerAddress),
  };
}

function lines(res: () => ServerResponse): (m: BuildMessage) => void {
  return (m) => { const r = res(); if (!r.destroyed) r.write(JSON.stringify(m) + '\r\n'); };
}

async function build(builds: BuildService, ctx: RequestContext): Promise<void> {
  const header = ctx.req.headers['x-registry-config'];
  const opts = decodeBuildQuery(ctx.query, Array.isArray(header) ? header[0] : header);
  const context = await builds.receiveContext(ctx.req, opts);
  let res: ServerResponse | undefined;
  const stream = () => (res ??= startStream(ctx));
  try {
    await builds.build(context, opts, lines(stream), () => stream());
    stream().end();
  } catch (err) {
    if (!res) throw err; // before the plan: a plain HTTP error (Docker's 400 for Dockerfile errors)
    log.debug('build failed', { err: errorMessage(err) });
    if (!res.destroyed) res.end(JSON.stringify(buildErrorMessage(err)) + '\r\n');
  }
}

async function commit(builds: BuildService, ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const container = q.get('container');
  if (!container) throw invalidArgument('container is required');
  // The body is a container Config (the spec's ContainerConfig, the create body's fields), decoded as such.
  const { value, empty } = await readDecodedBody<ImageRunConfig & { HostConfig?: unknown; NetworkingConfig?: unknown }>(ctx, 'ContainerCreate');
  const { HostConfig: _hc, NetworkingConfig: _nc, ...config } = value;
  const rec = await builds.commit({
    container, repo: q.get('repo') || undefined, tag: q.get('tag') || undefined, comment: q.get('comment') || undefined,
    author: q.get('author') || undefined, changes: q.getAll('changes').flatMap((c) => c.split('\n')).filter(Boolean),
    pause: boolQuery(q, 'pause', true), config: empty ? undefined : config,
  });
  sendJson(ctx, 201, { Id: rec.id });
}

export function registerBuildRoutes(router: Router, engine: Engine): void {
  const builds = new BuildService({ dataRoot: engine.config.dataRoot, images: engine.images, containers: enginePorts(engine.containers, engine.volumeMounts), puller: registryPuller(engine.registry) });
  // Leftovers of builds a crash interrupted; a build starting meanwhile makes directories this does not list.
  void builds.init().catch((err) => log.warn('cleaning old build directories failed', { err: errorMessage(err) }));
  router.post('/build', (ctx) => build(builds, ctx));
  router.post('/commit', (ctx) => commit(builds, ctx));
  // The classic builder keeps no separate cache store: its cache is the intermediate images.
  router.post('/build/prune', (ctx) => { sendJson(ctx, 200, { CachesDeleted: [], SpaceReclaimed: 0 }); });
}
