// Fuzzing the API edge with fast-check: requests derived from Docker's Engine API spec (every operation,
// random path parameters and query values, bodies generated from the spec's shapes and then mutated),
// plus random bytes on raw connections, against a real berthd. Bounded in count (and each request in
// time); after each batch berthd must answer /_ping, no answer may be a 5xx crash of the decoder, and
// nothing may be left behind (containers cleaned by the API leave no record and no mount).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { rawExchange } from '../helpers/raw-http.js';
import { OPERATIONS, type SpecOperation } from '../helpers/spec-operations.gen.js';
import { BODIES, DEFINITIONS } from '../../src/api/decode/shapes.gen.js';
import type { Shape } from '../../src/api/decode/shape.js';

const BATCHES = 5;
const PER_BATCH = 60;
const RAW_PER_BATCH = 15;

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

// Streams that legitimately stay open, and operations that would touch the host or the seeded image.
const SKIP = [
  /\/events$/, /\/attach/, /\/wait$/, /\/logs$/, /\/stats$/, /\/exec\/\{id\}\/start$/, /^\/build/, /^\/session/,
  /\/start$/, /\/restart$/, /\/unpause$/, /^\/networks\/create$/, /^\/images\/load$/, /^\/images\/prune$/, /^\/images\/\{name\}$/,
  /^\/containers\/\{id\}\/archive$/, /^\/commit$/, /^\/plugins/, /^\/swarm/, /^\/auth$/, /^\/distribution/, /^\/images\/\{name\}\/push$/,
];
const ops = OPERATIONS.filter((o) => !SKIP.some((re) => re.test(o.path)));

// Body fields whose random values could point berthd at host paths: left out of generated bodies.
const HOST_PATH_FIELDS = new Set(['Binds', 'Mounts', 'VolumesFrom', 'VolumeDriver', 'Volumes', 'ContainerIDFile']);

function arbFor(shape: Shape, depth: number): fc.Arbitrary<unknown> {
  if (typeof shape === 'object' && 'ref' in shape) return arbFor(DEFINITIONS[shape.ref], depth);
  switch (shape) {
    case 'string': return fc.oneof(fc.constantFrom('', 'busybox', 'none', 'host', 'no', '1'), fc.string({ maxLength: 12 }));
    case 'boolean': return fc.boolean();
    case 'integer': return fc.oneof(fc.constant(0), fc.integer({ min: -5, max: 1 << 20 }));
    case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'strslice': return fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }));
    case 'any': return fc.jsonValue({ maxDepth: 1 });
    default: break;
  }
  if (depth <= 0) return fc.constant(null);
  if ('array' in shape) return fc.array(arbFor(shape.array, depth - 1), { maxLength: 3 });
  if ('map' in shape) return fc.dictionary(fc.string({ maxLength: 6 }), arbFor(shape.map, depth - 1), { maxKeys: 3 });
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(shape.object)) if (!HOST_PATH_FIELDS.has(k)) fields[k] = arbFor(s, depth - 1);
  return fc.record(fields, { requiredKeys: [] });
}

/** A spec-shaped body, then sometimes broken: a key re-cased, a value swapped for any JSON, or junk. */
function bodyArb(name: keyof typeof BODIES): fc.Arbitrary<string> {
  const valid = arbFor(BODIES[name], 4).map((v) => (name === 'ContainerCreate' && v && typeof v === 'object' ? { Image: 'busybox', ...v } : v));
  const mutated = fc.tuple(valid, fc.jsonValue({ maxDepth: 2 }), fc.nat()).map(([v, junk, n]) => {
    if (!v || typeof v !== 'object') return junk;
    const keys = Object.keys(v);
    if (!keys.length) return junk;
    const k = keys[n % keys.length];
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    if (n % 2) { out[k.toLowerCase()] = out[k]; delete out[k]; } else out[k] = junk;
    return out;
  });
  // Mostly-applied fields, so that some bodies pass the edge and reach the engine's own checks.
  const hc = (BODIES.ContainerCreate as { object: Record<string, Shape> }).object.HostConfig as { ref: string };
  const hcFields = (DEFINITIONS[hc.ref] as { object: Record<string, Shape> }).object;
  const pick = (names: string[], from: Record<string, Shape>) => ({ object: Object.fromEntries(names.map((n) => [n, from[n]])) });
  const cc = (BODIES.ContainerCreate as { object: Record<string, Shape> }).object;
  const plausible = name !== 'ContainerCreate' ? valid : fc.tuple(
    arbFor(pick(['Cmd', 'Entrypoint', 'Env', 'User', 'WorkingDir', 'Tty', 'OpenStdin', 'Labels', 'StopSignal', 'Hostname'], cc), 3),
    arbFor(pick(['Memory', 'CpuShares', 'ShmSize', 'Tmpfs', 'CapAdd', 'CapDrop', 'ReadonlyRootfs', 'AutoRemove', 'PidsLimit', 'Ulimits', 'ExtraHosts', 'RestartPolicy'], hcFields), 3),
  ).map(([c, h]) => ({ ...(c as object), Image: 'busybox', HostConfig: { ...(h as object), NetworkMode: 'none' } }));
  return fc.oneof(
    { weight: 3, arbitrary: plausible.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 3, arbitrary: mutated.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('null', '[]', '{', '""', '{"HostConfig":7}', '{"Image":{}}') },
  );
}

const BODY_OF: Record<string, keyof typeof BODIES> = {
  'POST /containers/create': 'ContainerCreate', 'POST /containers/{id}/exec': 'ExecConfig', 'POST /volumes/create': 'VolumeCreate',
  'POST /networks/{id}/connect': 'NetworkConnect', 'POST /networks/{id}/disconnect': 'NetworkDisconnect',
};

const segment = fc.oneof(fc.constantFrom('x', 'busybox', '..', '%zz', '%2F', 'a b', '', '0'), fc.string({ maxLength: 10 }));
const queryValue = (type: string) => (type === 'boolean' ? fc.constantFrom('1', '0', 'true', 'False', 'maybe', '')
  : type === 'integer' ? fc.oneof(fc.integer({ min: -3, max: 100 }).map(String), fc.constantFrom('x', '1.5', '99999999999999999999'))
    : fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('{"label":["a"]}', '{"status":{"running":true}}', '{', 'null')));

interface FuzzRequest { method: string; path: string; body?: string }

function requestArb(op: SpecOperation): fc.Arbitrary<FuzzRequest> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const params = fc.tuple(...names.map(() => segment), fc.subarray(op.query), fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }));
  const body = BODY_OF[`${op.method} ${op.path}`];
  return fc.tuple(params, body ? bodyArb(body) : fc.option(fc.string({ maxLength: 30 }), { nil: undefined }), fc.constantFrom('', '', '/v1.41', '/v1.44', '/v1.50', '/v0.1', '/v9.99'))
    .chain(([[...rest], b, ver]) => {
      const qs = rest[names.length] as SpecOperation['query'];
      const values = rest.slice(0, names.length) as string[];
      return fc.tuple(...qs.map((q) => queryValue(q.type))).map((vals) => {
        let path = op.path;
        names.forEach((n, i) => { path = path.replace(`{${n}}`, encodeURIComponent(values[i]).replace(/%25zz/, '%zz')); });
        const query = qs.map((q, i) => `${q.name}=${encodeURIComponent(vals[i])}`).join('&');
        return { method: op.method, path: ver + path + (query ? `?${query}` : ''), body: b };
      });
    });
}

const createOp = ops.find((o) => o.method === 'POST' && o.path === '/containers/create')!;
const anyRequest = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ops).chain(requestArb) }, { weight: 2, arbitrary: requestArb(createOp) });

function send(r: FuzzRequest): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({
      socketPath: d.socket, path: r.path, method: r.method,
      headers: r.body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(r.body) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); res.on('error', () => resolve(-1)); });
    // Some operations stream on success; the answer's status is what is checked, not the stream.
    req.setTimeout(5000, () => { req.destroy(); resolve(-1); });
    req.on('error', () => resolve(-1));
    req.end(r.body);
  });
}

const rawArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'BREW', ''), fc.string({ maxLength: 40 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'X'))
    .map(([m, p, v]) => Buffer.from(`${m} ${p} ${v}\r\nHost: x\r\nConnection: close\r\n\r\n`)),
);

function leftovers(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(d.dataRoot) || l.includes(d.execRoot));
}

test('fuzz: spec-derived and mutated requests never crash, hang or leak', async (t) => {
  const fiveHundreds: string[] = [];
  const histogram = new Map<number, number>();
  for (let batch = 0; batch < BATCHES; batch++) {
    const reqs = fc.sample(anyRequest, { numRuns: PER_BATCH, seed: 4242 + batch });
    for (const r of reqs) {
      const status = await send(r);
      histogram.set(status, (histogram.get(status) ?? 0) + 1);
      // A 500 means an engine error, which is fine for odd but well-typed input; a TypeError from
      // unvalidated input is the failure this test looks for (berthd logs it).
      if (status >= 500 && status !== 501 && status !== 503) fiveHundreds.push(`${status} ${r.method} ${r.path} ${r.body ?? ''}`);
    }
    for (const raw of fc.sample(rawArb, { numRuns: RAW_PER_BATCH, seed: 99 + batch })) await rawExchange(d.socket, raw, 2000);
    const ping = await d.api('GET', '/_ping');
    assert.equal(ping.status, 200, `berthd stopped answering after batch ${batch}`);
    const list = JSON.parse((await d.api('GET', '/containers/json?all=1')).body) as Array<{ Id: string }>;
    for (const c of list) assert.equal((await d.api('DELETE', `/containers/${c.Id}?force=1&v=1`)).status, 204);
    assert.equal(JSON.parse((await d.api('GET', '/containers/json?all=1')).body).length, 0, 'containers left after clean-up');
    assert.deepEqual(leftovers(), [], 'mounts left under the data or exec root');
  }
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...histogram].sort((a, b) => a[0] - b[0])))}`);
  for (const f of fiveHundreds.slice(0, 10)) t.diagnostic(`5xx: ${f.slice(0, 300)}`);
  const typeErrors = d.log().split('\n').filter((l) => /TypeError|RangeError|unhandled|uncaught/.test(l));
  assert.deepEqual(typeErrors, [], `untyped failures in the log (5xx answers: ${fiveHundreds.slice(0, 5).join(' | ')})`);
});
