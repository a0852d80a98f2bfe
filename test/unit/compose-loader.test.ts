// The compose loader's stages on files in a temp dir: interpolation forms, .env and --env-file, anchors and
// merge keys, schema errors naming file and key path, -f merging, extends, include, profiles, project
// names, short syntaxes expanded, unsupported keys refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject, type LoadOptions } from '../../src/compose/loader/project.js';
import { substitute } from '../../src/compose/loader/interpolate.js';
import { parseDotenv } from '../../src/compose/loader/dotenv.js';
import { parsePortShort, parseVolumeShort, parseDuration, parseBytes } from '../../src/compose/loader/syntax.js';
import { shellWords } from '../../src/compose/model/shell-words.js';
import { createBody } from '../../src/compose/engine/convert.js';
import { serviceHash } from '../../src/compose/engine/labels.js';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-compose-unit-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

function load(d: string, o: Partial<LoadOptions> = {}) {
  return loadProject({ env: {}, cwd: d, ...o });
}

test('interpolation: every form compose-go knows, and $$', () => {
  const env: Record<string, string> = { SET: 'v', EMPTY: '' };
  const look = (n: string) => env[n];
  assert.equal(substitute('$SET ${SET} x$$y', look, 'k'), 'v v x$y');
  assert.equal(substitute('${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d}', look, 'k'), 'd d  d');
  assert.equal(substitute('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt} ${UNSET+alt}', look, 'k'), 'alt  alt ');
  assert.equal(substitute('${UNSET:-${SET}-nested}', look, 'k'), 'v-nested');
  assert.equal(substitute('${SET:?boom}', look, 'k'), 'v');
  assert.throws(() => substitute('${EMPTY:?must be set}', look, 'services.web.image'), /required variable EMPTY is missing a value: must be set/);
  assert.equal(substitute('${EMPTY?x}', look, 'k'), '');
  assert.throws(() => substitute('${UNSET?gone}', look, 'k'), /UNSET is missing a value: gone/);
  assert.throws(() => substitute('${SET', look, 'k'), /Invalid template/);
});

test('dotenv: quotes, export, comments, expansion, bare keys', () => {
  const out = parseDotenv('# c\nexport A=1\nB="two\\nlines ${A}"\nC=\'lit ${A}\'\nD=plain # trailing\nE\nF=${A}x\n', '.env', (n) => (n === 'E' ? 'from-os' : undefined));
  assert.deepEqual(out, { A: '1', B: 'two\nlines 1', C: 'lit ${A}', D: 'plain', E: 'from-os', F: '1x' });
});

test('short syntaxes: ports, volumes, durations, sizes, commands', () => {
  assert.deepEqual(parsePortShort('127.0.0.1:8080:80/udp', 'p'), [{ target: 80, protocol: 'udp', mode: 'ingress', host_ip: '127.0.0.1', published: '8080' }]);
  assert.deepEqual(parsePortShort(3000, 'p'), [{ target: 3000, protocol: 'tcp', mode: 'ingress' }]);
  assert.deepEqual(parsePortShort('9090-9091:8080-8081', 'p').map((p) => [p.published, p.target]), [['9090', 8080], ['9091', 8081]]);
  assert.deepEqual(parsePortShort('[::1]:6001:6001', 'p')[0].host_ip, '::1');
  assert.deepEqual(parseVolumeShort('./src:/app:ro', 'v'), { type: 'bind', source: './src', target: '/app', read_only: true, bind: { create_host_path: true } });
  assert.deepEqual(parseVolumeShort('data:/data', 'v'), { type: 'volume', source: 'data', target: '/data' });
  assert.deepEqual(parseVolumeShort('/anon', 'v'), { type: 'volume', target: '/anon' });
  assert.equal(parseDuration('1m30s', 'd'), 90e9);
  assert.equal(parseDuration('500ms', 'd'), 5e8);
  assert.equal(parseBytes('512m', 'b'), 512 * 1024 * 1024);
  assert.equal(parseBytes('1gb', 'b'), 1024 ** 3);
  assert.deepEqual(shellWords(`echo "a b" 'c d' e\\ f`, 'c'), ['echo', 'a b', 'c d', 'e f']);
});

test('a project: .env, anchors and merge keys, defaults, names, long forms', () => {
  const d = dir({
    '.env': 'TAG=1.2\nPORT=8080\n',
    'compose.yaml': `
x-common: &common
  restart: unless-stopped
  labels: [tier=app]
services:
  web:
    <<: *common
    image: "busybox:\${TAG}"
    ports: ["127.0.0.1:\${PORT}:80"]
    environment: [A=1, B]
    volumes: ["./html:/www:ro", "data:/data"]
    healthcheck: { test: "true", interval: 2s }
    command: httpd -f -p 80
  db:
    image: busybox
    depends_on: [web]
volumes: { data: {} }
`,
  });
  const p = load(d, { env: { B: 'from-os' } });
  assert.equal(p.name, d.split('/').pop()!.toLowerCase().replace(/[^a-z0-9_-]/g, ''));
  const web = p.services.web;
  assert.equal(web.image, 'busybox:1.2');
  assert.equal(web.restart, 'unless-stopped');
  assert.deepEqual(web.labels, { tier: 'app' });
  assert.deepEqual(web.environment, { A: '1', B: 'from-os' });
  assert.deepEqual(web.ports, [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }]);
  assert.equal(web.volumes[0].source, join(d, 'html'));
  assert.deepEqual(web.command, ['httpd', '-f', '-p', '80']);
  assert.deepEqual(web.healthcheck, { test: ['CMD-SHELL', 'true'], interval: 2e9 });
  assert.deepEqual(Object.keys(web.networks), ['default']);
  assert.equal(p.networks.default.name, `${p.name}_default`);
  assert.equal(p.volumes.data.name, `${p.name}_data`);
  assert.deepEqual(p.services.db.depends_on, { web: { condition: 'service_started', restart: false, required: true } });
});

test('project name: -p over COMPOSE_PROJECT_NAME over name:, and invalid names refused', () => {
  const d = dir({ 'compose.yaml': 'name: fromfile\nservices: { a: { image: busybox } }\n' });
  assert.equal(load(d).name, 'fromfile');
  assert.equal(load(d, { env: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'fromenv');
  assert.equal(load(d, { env: { COMPOSE_PROJECT_NAME: 'fromenv' }, projectName: 'flag' }).name, 'flag');
  assert.throws(() => load(d, { projectName: 'Bad Name' }), /not a valid project name/);
});

test('schema validation names the file and the path of the bad key', () => {
  const d = dir({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    imagee: typo\n', 'two.yaml': 'services:\n  web:\n    image: busybox\n    ports: {a: 1}\n' });
  assert.throws(() => load(d), (e: Error) => e.message === `validating ${join(d, 'compose.yaml')}: services.web additional properties 'imagee' not allowed`);
  assert.throws(() => load(d, { files: ['two.yaml'] }), (e: Error) => e.message.startsWith(`validating ${join(d, 'two.yaml')}: services.web.ports must be a array`));
  const bad = dir({ 'compose.yaml': 'services:\n  web: [\n' });
  assert.throws(() => load(bad), /yaml: line \d+: .* in .*compose\.yaml/);
});

test('-f files merge in order: scalars replaced, mappings merged, ports appended, volumes by target', () => {
  const d = dir({
    'a.yaml': 'services:\n  web:\n    image: busybox\n    command: [a]\n    environment: {A: "1", B: "1"}\n    ports: ["80"]\n    volumes: ["x:/data"]\nvolumes: {x: {}, y: {}}\n',
    'b.yaml': 'services:\n  web:\n    command: [b]\n    environment: {B: "2"}\n    ports: ["81"]\n    volumes: ["y:/data"]\n',
  });
  const web = load(d, { files: ['a.yaml', 'b.yaml'] }).services.web;
  assert.deepEqual(web.command, ['b']);
  assert.deepEqual(web.environment, { A: '1', B: '2' });
  assert.deepEqual(web.ports.map((p) => p.target), [80, 81]);
  assert.deepEqual(web.volumes.map((v) => `${v.source}:${v.target}`), ['y:/data']);
});

test('extends (same file and another file) and include', () => {
  const d = dir({
    'base/common.yaml': 'services:\n  tmpl:\n    image: busybox\n    environment: {FROM: base}\n    volumes: ["./here:/here"]\n',
    'lib/compose.yaml': 'services:\n  lib:\n    image: busybox:lib\n',
    'compose.yaml': `
include: [lib/compose.yaml]
services:
  a:
    extends: { file: base/common.yaml, service: tmpl }
    environment: {OWN: "1"}
  b:
    extends: a
    command: [b]
`,
  });
  const p = load(d);
  assert.deepEqual(p.services.a.environment, { FROM: 'base', OWN: '1' });
  assert.equal(p.services.a.volumes[0].source, join(d, 'base/here'), 'paths in an extended file are relative to that file');
  assert.deepEqual(p.services.b.command, ['b']);
  assert.equal(p.services.b.image, 'busybox');
  assert.equal(p.services.lib.image, 'busybox:lib');
});

test('profiles: services with a profile only when it is active', () => {
  const d = dir({ 'compose.yaml': 'services:\n  a: {image: busybox}\n  dbg: {image: busybox, profiles: [debug]}\n' });
  assert.deepEqual(Object.keys(load(d).services), ['a']);
  assert.deepEqual(Object.keys(load(d, { profiles: ['debug'] }).services).sort(), ['a', 'dbg']);
  assert.deepEqual(Object.keys(load(d, { env: { COMPOSE_PROFILES: 'debug' } }).services).sort(), ['a', 'dbg']);
});

test('keys berth compose cannot apply are refused by name; undefined references too', () => {
  const d = dir({ 'compose.yaml': 'services:\n  a:\n    image: busybox\n    runtime: kata\n', 'n.yaml': 'services:\n  a:\n    image: busybox\n    networks: [nope]\n' });
  assert.throws(() => load(d), /services\.a\.runtime is not supported by berth compose/);
  assert.throws(() => load(d, { files: ['n.yaml'] }), /refers to undefined network nope/);
});

test('create body: compose labels, names, endpoints with aliases, mounts, ports; hash ignores replicas', () => {
  const d = dir({ 'compose.yaml': 'name: demo\nservices:\n  web:\n    image: busybox\n    ports: ["127.0.0.1:8080:80"]\n    volumes: ["data:/data"]\n    networks: {back: {aliases: [www]}}\nnetworks: {back: {}}\nvolumes: {data: {}}\n' });
  const p = load(d);
  const body = createBody(p, p.services.web, { number: 1, name: 'demo-web-1' }, 'busybox');
  assert.equal(body.Labels?.['com.docker.compose.project'], 'demo');
  assert.equal(body.Labels?.['com.docker.compose.service'], 'web');
  assert.equal(body.Labels?.['com.docker.compose.container-number'], '1');
  assert.equal(body.Labels?.['com.docker.compose.oneoff'], 'False');
  assert.equal(body.HostConfig.NetworkMode, 'demo_back');
  assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { demo_back: { Aliases: ['web', 'www'] } } });
  assert.deepEqual(body.HostConfig.Mounts, [{ Type: 'volume', Source: 'demo_data', Target: '/data', ReadOnly: false }]);
  assert.deepEqual(body.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.equal(serviceHash({ ...p.services.web, replicas: 3 }), serviceHash(p.services.web));
  assert.notEqual(serviceHash({ ...p.services.web, user: 'nobody' }), serviceHash(p.services.web));
});
