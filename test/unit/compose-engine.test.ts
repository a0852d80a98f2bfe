// The engine side of berth compose against a fake Engine API: dependency order with independent services
// in parallel, and depends_on conditions (service_healthy polls inspect's State.Health as Docker defines
// it; service_completed_successfully waits for exit 0), without a daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { awaitDependencies } from '../../src/compose/engine/converge.js';
import { inDependencyOrder } from '../../src/compose/engine/graph.js';
import { Progress } from '../../src/compose/engine/progress.js';
import type { ComposeApi } from '../../src/compose/engine/api.js';
import type { ContainerSummary } from '../../src/client/types.js';
import { loadProject } from '../../src/compose/loader/project.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

function project(yaml: string) {
  const d = mkdtempSync(join(tmpdir(), 'berth-compose-engine-'));
  writeFileSync(join(d, 'compose.yaml'), yaml);
  return loadProject({ env: {}, cwd: d, projectName: 'p' });
}

function sink(): { out: Writable; text: () => string } {
  let s = '';
  return { out: new Writable({ write(c, _e, cb) { s += c.toString(); cb(); } }), text: () => s };
}

const summary = (service: string): ContainerSummary => ({
  Id: `id-${service}`, Names: [`/p-${service}-1`], Image: 'busybox', Command: '', Created: 0, State: 'running', Status: 'Up',
  Labels: { 'com.docker.compose.project': 'p', 'com.docker.compose.service': service, 'com.docker.compose.container-number': '1', 'com.docker.compose.oneoff': 'False' },
});

function fakeApi(o: { health?: string[]; exitCode?: number; noHealthcheck?: boolean }): { api: ComposeApi; inspects: () => number } {
  let n = 0;
  const api = {
    containers: async (filters: Record<string, string[]>) => {
      const svc = filters.label.find((l) => l.startsWith('com.docker.compose.service='));
      return [summary('web'), summary('db')].filter((c) => !svc || svc.endsWith(`=${c.Labels!['com.docker.compose.service']}`));
    },
    inspect: async () => {
      const status = o.health?.[Math.min(n, o.health.length - 1)];
      n++;
      return { Id: 'id-web', Name: '/p-web-1', Created: '', Image: '', Config: o.noHealthcheck ? {} : { Healthcheck: { Test: ['CMD', 'true'] } }, State: { Status: 'running', Running: true, ExitCode: 0, ...(o.noHealthcheck ? {} : { Health: { Status: status } }) } };
    },
    wait: async () => ({ StatusCode: o.exitCode ?? 0 }),
  };
  return { api: api as unknown as ComposeApi, inspects: () => n };
}

const HEALTHY = `
services:
  web: { image: busybox }
  app:
    image: busybox
    depends_on: { web: { condition: service_healthy } }
  job:
    image: busybox
    depends_on: { web: { condition: service_completed_successfully } }
`;

test('service_healthy: polls State.Health until healthy, printing Waiting then Healthy', async () => {
  const p = project(HEALTHY);
  const { api, inspects } = fakeApi({ health: ['starting', 'starting', 'healthy'] });
  const s = sink();
  await awaitDependencies(api, p, p.services.app, new Progress(s.out), new Set(['web', 'app']));
  assert.equal(inspects(), 3);
  assert.equal(s.text(), ' Container p-web-1  Waiting\n Container p-web-1  Healthy\n');
});

test('service_healthy: an unhealthy dependency or one without a health check fails up', async () => {
  const p = project(HEALTHY);
  await assert.rejects(awaitDependencies(fakeApi({ health: ['starting', 'unhealthy'] }).api, p, p.services.app, new Progress(sink().out), new Set(['web', 'app'])), /dependency failed to start: container p-web-1 is unhealthy/);
  await assert.rejects(awaitDependencies(fakeApi({ noHealthcheck: true }).api, p, p.services.app, new Progress(sink().out), new Set(['web', 'app'])), /has no healthcheck configured/);
});

test('service_completed_successfully: exit 0 passes, another code fails', async () => {
  const p = project(HEALTHY);
  await awaitDependencies(fakeApi({ exitCode: 0 }).api, p, p.services.job, new Progress(sink().out), new Set(['web', 'job']));
  await assert.rejects(awaitDependencies(fakeApi({ exitCode: 2 }).api, p, p.services.job, new Progress(sink().out), new Set(['web', 'job'])), /service "web" didn't complete successfully: exit 2/);
});

test('dependency order: dependencies first, independent services in parallel, reverse for down; cycles refused', async () => {
  const p = project('services:\n  a: {image: busybox, depends_on: [b, c]}\n  b: {image: busybox}\n  c: {image: busybox}\n');
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  await inDependencyOrder(p, ['a', 'b', 'c'], async (n) => {
    log.push(`start ${n}`);
    // b waits until c has started: only possible when the two run in parallel.
    if (n === 'b') await gate;
    if (n === 'c') release();
    log.push(`end ${n}`);
  });
  assert.deepEqual(log.slice(0, 2).sort(), ['start b', 'start c']);
  assert.deepEqual(log.slice(-2), ['start a', 'end a']);
  const rev: string[] = [];
  await inDependencyOrder(p, ['a', 'b', 'c'], async (n) => { rev.push(n); }, true);
  assert.equal(rev[0], 'a');
  const cyc = project('services:\n  a: {image: busybox, depends_on: [b]}\n  b: {image: busybox, depends_on: [a]}\n');
  await assert.rejects(inDependencyOrder(cyc, ['a', 'b'], async () => undefined), /dependency cycle detected/);
});
