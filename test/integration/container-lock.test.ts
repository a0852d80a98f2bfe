// Stop and kill send their signals under the per-container lock but wait for the exit outside it: a
// `kill` must be able to end a `stop` that is still waiting (its timeout is "forever" here), and two
// stops of one container both answer once it is down, as dockerd does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/until.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

// The hang guard bounds the test if a kill ever waited behind a stop (no timing is asserted).
test('a kill ends a stop that waits forever; concurrent stops both answer', { timeout: 120_000 }, async () => {
  ok(['run', '-d', '--name', 'lockstop', 'busybox', 'sh', '-c', "trap '' TERM; echo ready; while true; do sleep 1; done"]);
  await until('the TERM trap is set', () => ok(['logs', 'lockstop']).includes('ready'), 120);
  const first = d.api('POST', '/containers/lockstop/stop?t=-1');
  const second = d.api('POST', '/containers/lockstop/stop?t=-1');
  // Both stops have signalled once the container shows two `kill` events (SIGTERM is ignored).
  await until('both stops signalled', () => {
    const ev = d.docker(['events', '--since', '0', '--until', '0s', '--filter', 'container=lockstop', '--filter', 'event=kill'], { timeoutMs: 30_000 });
    return ev.stdout.trim().split('\n').filter(Boolean).length >= 2;
  }, 120);
  const kill = await d.api('POST', '/containers/lockstop/kill');
  assert.equal(kill.status, 204, kill.body);
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.status, 204, a.body);
  assert.equal(b.status, 204, b.body);
  const state = JSON.parse(ok(['inspect', '--format', '{{json .State}}', 'lockstop'])) as { Status: string; ExitCode: number };
  assert.equal(state.Status, 'exited');
  assert.equal(state.ExitCode, 137);
  ok(['rm', 'lockstop']);
});
