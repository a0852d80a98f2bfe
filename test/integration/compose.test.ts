// One multi-service application run on a real berthd by three compose tools: `berth compose`, docker
// compose v2 (built from the Go module proxy; skipped with the reason where Go is absent) and Debian's
// docker-compose 1.29. A busybox httpd `web` with a published port on 127.0.0.1 and a `worker` that
// fetches from it by name into a named volume, on a custom network. Health checks (worker waits for web
// to be healthy) and a Dockerfile-built service are separate cases, run when berthd offers them. Each
// case: up, reach by name, the port answers, up again recreates nothing, down -v leaves nothing.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { composeRunner, COMPOSE_V1, ensureComposeV2, installComposePlugin, type ComposeRunner, type ComposeTool } from '../helpers/compose-tools.js';
import { existsSync } from 'node:fs';

let d: TestDaemon;
let appDir: string;
let v2Unavailable: string | undefined;
const features: { health?: string; build?: string } = {};

const BASE = `
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:\${WEB_PORT:?set WEB_PORT}:80"
    networks: [backend]
  worker:
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do printf 'GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 3 web 80 > /data/page.txt && grep -q hello /data/page.txt && break; sleep 1; done; exec sleep 3600"]
    depends_on: [web]
    volumes:
      - data:/data
    networks: [backend]
    stop_grace_period: 1s
networks:
  backend: {}
volumes:
  data: {}
`;

const HEALTH = `
services:
  web:
    healthcheck:
      test: ["CMD-SHELL", "printf 'GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 2 127.0.0.1 80 | grep -q hello-from-web"]
      interval: 1s
      timeout: 3s
      retries: 30
  worker:
    depends_on:
      web:
        condition: service_healthy
`;

const BUILD = `
services:
  built:
    build:
      context: ./built
      args:
        GREETING: hi
    command: ["httpd", "-f", "-p", "8080", "-h", "/srv"]
    networks: [backend]
`;

const DOCKERFILE = 'FROM busybox\nARG GREETING=none\nRUN mkdir -p /srv && echo "built-$GREETING" > /srv/index.html\n';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
  });
}

/** An HTTP/1.0 GET to 127.0.0.1:port from the host; bounded by a socket timeout. */
function httpGet(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.setTimeout(5000, () => s.destroy());
    s.on('connect', () => s.write('GET / HTTP/1.0\r\n\r\n'));
    s.on('data', (c) => { out += c.toString(); });
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Does berthd run health checks? A container with an always-passing check must report a Health state. */
async function probeHealth(): Promise<string | undefined> {
  const r = await d.api('POST', '/containers/create?name=health-probe', { Image: 'busybox', Cmd: ['sleep', '30'], Healthcheck: { Test: ['CMD', 'true'], Interval: 500_000_000, Retries: 3 }, HostConfig: { NetworkMode: 'none' } });
  if (r.status !== 201) return `cannot create a container with a health check: ${r.body}`;
  await d.api('POST', '/containers/health-probe/start');
  let status: string | undefined;
  for (let i = 0; i < 20 && status !== 'healthy'; i++) {
    await sleep(500);
    const info = JSON.parse((await d.api('GET', '/containers/health-probe/json')).body) as { State: { Health?: { Status?: string } } };
    status = info.State.Health?.Status;
  }
  await d.api('DELETE', '/containers/health-probe?force=1');
  return status === 'healthy' ? undefined : 'berthd does not run health checks yet (State.Health never became healthy)';
}

/** Does berthd serve POST /build? An unknown route answers 404; a real builder refuses an empty context otherwise. */
async function probeBuild(): Promise<string | undefined> {
  const r = await d.api('POST', '/build?t=probe');
  return r.status === 404 ? 'berthd has no POST /build yet' : undefined;
}

before(async () => {
  d = await startDaemon();
  appDir = mkdtempSync(join(tmpdir(), 'berth-compose-it-'));
  writeFileSync(join(appDir, 'compose.yaml'), BASE);
  writeFileSync(join(appDir, 'compose.health.yaml'), HEALTH);
  writeFileSync(join(appDir, 'compose.build.yaml'), BUILD);
  mkdirSync(join(appDir, 'built'));
  writeFileSync(join(appDir, 'built', 'Dockerfile'), DOCKERFILE);
  const v2 = ensureComposeV2();
  if (v2.path) installComposePlugin(d, v2.path); else v2Unavailable = v2.reason;
  features.health = await probeHealth();
  features.build = await probeBuild();
});

after(async () => {
  await d?.stop();
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

function ok(runner: ComposeRunner, args: string[], env: Record<string, string>): string {
  const r = runner.run(args, { cwd: appDir, env });
  assert.equal(r.code, 0, `${runner.tool} compose ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout + r.stderr;
}

function projectIds(project: string): string[] {
  const r = d.docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}


async function exerciseApp(t: TestContext, runner: ComposeRunner, variant: 'basic' | 'health' | 'build'): Promise<void> {
  const project = `cmp${runner.tool}${variant}`;
  const port = await freePort();
  const files = ['-f', 'compose.yaml', ...(variant === 'health' ? ['-f', 'compose.health.yaml'] : variant === 'build' ? ['-f', 'compose.build.yaml'] : [])];
  const env = { WEB_PORT: String(port) };
  const args = (...rest: string[]) => [...files, '-p', project, ...rest];
  const execArgs = (service: string, cmd: string[]) => args('exec', '-T', service, ...cmd);
  let firstIds: string[] = [];
  try {
    await t.test('up -d', () => {
      ok(runner, args('up', '-d'), env);
      firstIds = projectIds(project);
      assert.equal(firstIds.length, variant === 'build' ? 3 : 2, `containers of ${project}`);
    });
    await t.test('the worker reached web by name and wrote the page into the named volume', async () => {
      let page = '';
      let last = '';
      for (let i = 0; i < 30 && !page.includes('hello-from-web'); i++) {
        const r = runner.run(execArgs('worker', ['cat', '/data/page.txt']), { cwd: appDir, env });
        page = r.stdout;
        last = `exit ${r.code}: ${r.stderr}`;
        if (!page.includes('hello-from-web')) await sleep(500);
      }
      assert.match(page, /hello-from-web/, `worker's /data/page.txt (last exec: ${last})`);
      const direct = ok(runner, execArgs('worker', ['sh', '-c', "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 80"]), env);
      assert.match(direct, /200 OK[\s\S]*hello-from-web/);
      const vol = d.docker(['run', '--rm', '--network', 'none', '-v', `${project}_data:/d`, 'busybox', 'cat', '/d/page.txt']);
      assert.match(vol.stdout, /hello-from-web/, `the page is in volume ${project}_data: ${vol.stderr}`);
    });
    await t.test('the published port answers on 127.0.0.1', async () => {
      let body = '';
      for (let i = 0; i < 10 && !body.includes('hello-from-web'); i++) { body = await httpGet(port); if (!body.includes('hello-from-web')) await sleep(300); }
      assert.match(body, /^HTTP\/1\.[01] 200[\s\S]*hello-from-web/);
    });
    if (variant === 'health') {
      await t.test('web is healthy and the worker started after it', () => {
        const r = d.docker(['inspect', '-f', '{{.State.Health.Status}}', `${runner.tool === 'v1' ? `${project}_web_1` : `${project}-web-1`}`]);
        assert.equal(r.stdout.trim(), 'healthy', r.stderr);
      });
    }
    if (variant === 'build') {
      await t.test('the service built from a Dockerfile serves its build-arg page to the worker', () => {
        const out = ok(runner, execArgs('worker', ['sh', '-c', "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 built 8080"]), env);
        assert.match(out, /built-hi/);
      });
    }
    await t.test('up -d again recreates nothing', () => {
      const out = ok(runner, args('up', '-d'), env);
      assert.doesNotMatch(out, /Recreat|Creating|Created/, out);
      assert.deepEqual(projectIds(project), firstIds);
      assert.match(out, runner.tool === 'v1' ? /is up-to-date/ : /Running/);
    });
  } finally {
    await t.test('down -v leaves nothing behind', () => {
      ok(runner, args('down', '-v', '--remove-orphans'), env);
      assert.deepEqual(projectIds(project), []);
      const nets = d.docker(['network', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter((n) => n.startsWith(`${project}_`));
      assert.deepEqual(nets, []);
      const vols = d.docker(['volume', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter((n) => n.startsWith(`${project}_`));
      assert.deepEqual(vols, []);
    });
  }
}

const TOOLS: Array<{ tool: ComposeTool; label: string }> = [
  { tool: 'berth', label: 'berth compose' },
  { tool: 'v2', label: 'docker compose v2' },
  { tool: 'v1', label: 'docker-compose 1.29' },
];

for (const { tool, label } of TOOLS) {
  describe(label, () => {
    const unavailable = (): string | undefined => {
      if (tool === 'v2') return v2Unavailable;
      if (tool === 'v1' && !existsSync(COMPOSE_V1)) return 'docker-compose 1.29 is not installed (Debian package docker-compose)';
      return undefined;
    };
    test('basic app: web + worker, custom network, named volume, published port', async (t) => {
      const why = unavailable();
      if (why) { t.skip(why); return; }
      await exerciseApp(t, composeRunner(d, tool), 'basic');
    });
    test('health: the worker waits for web to be healthy (depends_on: service_healthy)', async (t) => {
      const why = unavailable() ?? features.health;
      if (why) { t.skip(why); return; }
      await exerciseApp(t, composeRunner(d, tool), 'health');
    });
    test('build: a service built from a Dockerfile joins the app', async (t) => {
      const why = unavailable() ?? features.build;
      if (why) { t.skip(why); return; }
      await exerciseApp(t, composeRunner(d, tool), 'build');
    });
  });
}
