// Health checks with real containers through the docker CLI: a failing probe turns the container
// unhealthy (ps, inspect, filter, events), a passing one healthy, and with the berth label a failing
// container is restarted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { until as untilTries } from '../helpers/until.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
const until = (what: string, check: () => boolean, tries = 60) => untilTries(what, check, tries);


test('a failing health check turns the container unhealthy, a passing one healthy', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  ok(['run', '-d', '--name', 'hc', '--health-cmd', 'test -f /tmp/ok || (echo missing; exit 1)', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '300']);
  assert.match(ok(['ps', '--filter', 'name=hc', '--format', '{{.Status}}']), /\((health: starting|unhealthy)\)/);
  await until('unhealthy', () => /unhealthy/.test(ok(['inspect', '-f', '{{.State.Health.Status}}', 'hc'])));
  assert.match(ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^hc Up .* \(unhealthy\)$/m);
  assert.equal(ok(['ps', '-q', '--filter', 'health=unhealthy']).trim().length, 12);
  const health = JSON.parse(ok(['inspect', '-f', '{{json .State.Health}}', 'hc'])) as { FailingStreak: number; Log: Array<{ ExitCode: number; Output: string; Start: string; End: string }> };
  assert.ok(health.FailingStreak >= 2);
  assert.ok(health.Log.length >= 2 && health.Log.length <= 5);
  assert.equal(health.Log[0].ExitCode, 1);
  assert.equal(health.Log[0].Output, 'missing\n');
  ok(['exec', 'hc', 'touch', '/tmp/ok']);
  await until('healthy', () => /^healthy/.test(ok(['inspect', '-f', '{{.State.Health.Status}}', 'hc'])));
  assert.match(ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^hc Up .* \(healthy\)$/m);
  assert.equal(ok(['ps', '-q', '--filter', 'health=none']).trim(), '');
  const ev = ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=hc', '--filter', 'event=health_status', '--format', '{{.Action}}']);
  assert.match(ev, /health_status: unhealthy\nhealth_status: healthy/);
  ok(['rm', '-f', 'hc']);
});

test('timeouts and --no-healthcheck', async () => {
  ok(['run', '-d', '--name', 'slow', '--health-cmd', 'sleep 5', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '1', 'busybox', 'sleep', '300']);
  await until('timeout result', () => /exceeded timeout/.test(ok(['inspect', '-f', '{{json .State.Health}}', 'slow'])));
  assert.match(ok(['inspect', '-f', '{{json .State.Health}}', 'slow']), /Health check exceeded timeout \(300ms\)/);
  ok(['run', '-d', '--name', 'none', '--no-healthcheck', 'busybox', 'sleep', '300']);
  assert.equal(ok(['inspect', '-f', '{{json .Config.Healthcheck.Test}} {{.State.Health}}', 'none']), '["NONE"] <nil>\n');
  ok(['rm', '-f', 'slow', 'none']);
});

test('berth.health.on-failure=restart restarts a container when it turns unhealthy', async () => {
  ok(['run', '-d', '--name', 'phoenix', '--label', 'berth.health.on-failure=restart', '--stop-timeout', '1',
    '--health-cmd', 'test ! -f /tmp/broken', '--health-interval', '200ms', '--health-retries', '1', 'busybox', 'sh', '-c', 'touch /tmp/broken; exec sleep 300']);
  const first = ok(['inspect', '-f', '{{.State.StartedAt}}', 'phoenix']);
  await until('a restart', () => ok(['inspect', '-f', '{{.State.StartedAt}}', 'phoenix']) !== first, 120);
  assert.equal(ok(['inspect', '-f', '{{.State.Status}}', 'phoenix']), 'running\n');
  const bad = await d.api('POST', '/containers/create', { Image: 'busybox', Labels: { 'berth.health.on-failure': 'explode' } });
  assert.equal(bad.status, 400);
  ok(['rm', '-f', 'phoenix']);
});
