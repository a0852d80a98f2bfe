import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { decodeShape } from '../../src/api/decode/shape.js';
import { BODIES, DEFINITIONS } from '../../src/api/decode/shapes.gen.js';
import { boolQuery, filtersQuery, intQuery, enumQuery } from '../../src/api/decode/query.js';
import { isUnset, refuseUnsupportedCreateFields } from '../../src/api/decode/refused.js';
import { WsDecoder, encodeFrame } from '../../src/api/websocket.js';
import { cleanPath, createHttpServer, parseTarget } from '../../src/api/server.js';
import { Router } from '../../src/api/router.js';
import { streamContentType } from '../../src/api/context.js';
import { isBerthError } from '../../src/errors.js';
import { makeTestCerts } from '../helpers/tls.js';

const create = (v: unknown) => decodeShape(BODIES.ContainerCreate, v, DEFINITIONS) as Record<string, any>;
const bad = (re: RegExp) => (e: unknown) => isBerthError(e, 'invalid-argument') && re.test((e as Error).message);

test('bodies decode as Go does: case-insensitive keys, null absent, unknown dropped, StrSlice', () => {
  const out = create({ image: 'busybox', CMD: 'echo hi', Entrypoint: null, Nope: 1, hostconfig: { TmpFs: { '/t': '' }, memory: null } });
  assert.deepEqual(out, { Image: 'busybox', Cmd: ['echo hi'], HostConfig: { Tmpfs: { '/t': '' } } });
  assert.deepEqual(create({ Env: ['A=1', null] }).Env, ['A=1', '']);
  assert.deepEqual(create({ Shell: 'bash' }).Shell, ['bash']);
  // allOf around a string in the spec (Mount.Type → MountType) is a string.
  assert.deepEqual(create({ HostConfig: { Mounts: [{ type: 'bind', Source: '/a', Target: '/b', ReadOnly: true }] } }).HostConfig.Mounts,
    [{ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true }]);
});

test('wrong JSON types name the field and Go type', () => {
  assert.throws(() => create({ Image: 7 }), bad(/^json: cannot unmarshal number into Go struct field Image of type string$/));
  assert.throws(() => create({ HostConfig: { Memory: 'x' } }), bad(/HostConfig\.Memory of type int64/));
  assert.throws(() => create({ HostConfig: { Memory: 1.5 } }), bad(/number 1\.5/));
  assert.throws(() => create({ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 80 }] } } }), bad(/PortBindings\.80\/tcp\[0\]\.HostPort of type string/));
  assert.throws(() => create([1]), bad(/into Go value of type struct/));
  assert.throws(() => create({ Cmd: [1] }), bad(/Cmd\[0\]/));
});

test('decoding never throws anything but a 400, whatever the JSON', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
    try { create({ Image: 'x', HostConfig: v, Config: v, Env: v, Cmd: v }); } catch (e) { assert.ok(isBerthError(e, 'invalid-argument'), String(e)); }
  }), { numRuns: 500 });
});

test('refused fields: set values refused by name, zero values accepted', () => {
  assert.throws(() => refuseUnsupportedCreateFields(create({ HostConfig: { CgroupParent: 'x' } })), bad(/HostConfig\.CgroupParent/));
  assert.throws(() => refuseUnsupportedCreateFields(create({ HostConfig: { UsernsMode: 'private' } })), bad(/UsernsMode/));
  // Applied by the engine now (sandbox, limits, logs): no longer refused at the edge.
  refuseUnsupportedCreateFields(create({ HostConfig: { SecurityOpt: ['no-new-privileges'], MemorySwappiness: 10, PidMode: 'host', UsernsMode: 'host' } }));
  assert.throws(() => refuseUnsupportedCreateFields(create({ NetworkingConfig: { EndpointsConfig: { n: { DriverOpts: { a: 'b' } } } } })), bad(/EndpointsConfig\.n\.DriverOpts/));
  refuseUnsupportedCreateFields(create({ HostConfig: { Links: ['db:db'] }, NetworkingConfig: { EndpointsConfig: { n: { Links: ['a:b'] } } } })); // legacy links are applied
  refuseUnsupportedCreateFields(create({ HostConfig: { MemorySwappiness: -1, IpcMode: 'private', GroupAdd: [], Init: false, LogConfig: { Type: 'json-file', Config: {} } } }));
  assert.ok(isUnset({ a: [], b: { c: '' } }));
  assert.ok(!isUnset({ a: [''] }));
});

test('queries: booleans, integers, enums and filters are typed or a 400', () => {
  const q = new URLSearchParams('a=1&b=False&c=maybe&n=12&m=1.5&e=removed&f=x');
  assert.equal(boolQuery(q, 'a'), true);
  assert.equal(boolQuery(q, 'b'), false);
  assert.equal(boolQuery(q, 'zz', true), true);
  assert.throws(() => boolQuery(q, 'c'), bad(/invalid boolean value for c/));
  assert.equal(intQuery(q, 'n'), 12);
  assert.throws(() => intQuery(q, 'm'), bad(/invalid value for m/));
  assert.throws(() => intQuery(q, 'n', { max: 5 }), bad(/out of range/));
  assert.equal(enumQuery(q, 'e', ['removed', 'next-exit'], 'next-exit'), 'removed');
  assert.throws(() => enumQuery(q, 'f', ['removed'], 'removed'), bad(/invalid value for f/));
  assert.deepEqual(filtersQuery(new URLSearchParams({ filters: '{"label":{"a":true,"b":false},"name":["x"]}' })), { label: ['a'], name: ['x'] });
  for (const f of ['x', '[1]', '{"a":7}', '{"a":[1]}', '{"a":{"b":"yes"}}']) assert.throws(() => filtersQuery(new URLSearchParams({ filters: f })), bad(/invalid filter/));
});

test('request targets: no throw on // or bad escapes; Go path cleaning', () => {
  assert.equal(parseTarget('//').path, '//');
  assert.equal(cleanPath('//'), '/');
  assert.equal(cleanPath('/a/../b/./c'), '/b/c');
  assert.equal(cleanPath('/networks/'), '/networks/');
  assert.throws(() => parseTarget('/%zz'), bad(/invalid URL escape/));
  assert.throws(() => parseTarget('http://x/'), bad(/invalid request target/));
  assert.equal(parseTarget('/x?a=1&a=2').query.getAll('a').length, 2);
});

test('stream Content-Type follows the API version', () => {
  assert.equal(streamContentType('1.41', false), 'application/vnd.docker.raw-stream');
  assert.equal(streamContentType('1.42', false), 'application/vnd.docker.multiplexed-stream');
  assert.equal(streamContentType('1.50', true), 'application/vnd.docker.raw-stream');
});

test('websocket decoder: frames split anywhere decode the same; oversize frames throw before buffering', () => {
  const mask = Buffer.from([1, 2, 3, 4]);
  const payload = Buffer.from('hello websocket '.repeat(20));
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
  const frame = Buffer.concat([Buffer.from([0x82, 0x80 | 126, payload.length >> 8, payload.length & 0xff]), mask, masked]);
  fc.assert(fc.property(fc.array(fc.nat({ max: frame.length }), { maxLength: 6 }), (cuts) => {
    const dec = new WsDecoder();
    const points = [...new Set([0, ...cuts, frame.length])].sort((a, b) => a - b);
    const got = points.slice(1).flatMap((p, i) => dec.push(frame.subarray(points[i], p)));
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].payload, payload);
  }));
  assert.throws(() => new WsDecoder(1024).push(Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0x10, 0, 0, 0])), bad(/over the 1024-byte limit/));
  assert.equal(encodeFrame(Buffer.alloc(70000))[1], 127);
});

test('one server factory: plain and TLS servers have no request timeout and a header bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-api-tls-'));
  try {
    makeTestCerts(dir);
    const tls = { cert: readFileSync(join(dir, 'server-cert.pem')), key: readFileSync(join(dir, 'server-key.pem')), ca: readFileSync(join(dir, 'ca.pem')), requestCert: true };
    for (const s of [createHttpServer(new Router()), createHttpServer(new Router(), tls)]) {
      assert.equal(s.requestTimeout, 0);
      assert.equal(s.maxHeadersCount === null || s.maxHeadersCount >= 0, true);
      assert.ok(s.listenerCount('upgrade') === 1 && s.listenerCount('clientError') === 1);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
