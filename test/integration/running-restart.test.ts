// Restart policies with real containers: a crash loop restarts with Docker's growing delay (counted in
// RestartCount), survives a berthd restart, `unless-stopped` stays stopped once the user stopped it,
// and `update --restart` takes effect. Logs with max-size/max-file stay under their bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
const until = (what: string, check: () => boolean, tries = 80) => untilTries(what, check, tries);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const restarts = (name: string) => Number(ok(['inspect', '-f', '{{.RestartCount}}', name]).trim());

test('a crash loop restarts with a growing delay, and comes back after berthd restarts', async () => {
  ok(['run', '-d', '--name', 'crash', '--restart', 'always', 'busybox', 'sh', '-c', 'echo run; exit 3']);
  await until('five restarts', () => restarts('crash') >= 5, 200);
  assert.match(ok(['inspect', '-f', '{{.State.Status}} {{.State.Restarting}}', 'crash']), /^(restarting true|running false)$/m);
  const events = ok(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=crash', '--format', '{{.Action}} {{.TimeNano}}'])
    .trim().split('\n').map((l) => l.split(' ')).filter(([a]) => a === 'die' || a === 'start');
  // Docker's delays, 100 ms doubling: each restart waits at least that long after the exit before it
  // (a lower bound, whatever the machine's load).
  let delay = 100;
  let checked = 0;
  for (let i = 1; i < events.length && checked < 4; i++) {
    if (events[i][0] !== 'start' || events[i - 1][0] !== 'die') continue;
    const gapMs = (Number(events[i][1]) - Number(events[i - 1][1])) / 1e6;
    assert.ok(gapMs >= delay - 5, `restart ${checked + 1} came ${gapMs} ms after the exit, before the ${delay} ms delay`);
    delay *= 2;
    checked++;
  }
  assert.equal(checked, 4);
  assert.match(ok(['logs', 'crash']), /^run\nrun\nrun\n/);
  const before = restarts('crash');
  await d.kill9();
  await d.restart();
  await until('restarts after berthd came back', () => restarts('crash') > before + 1);
  ok(['update', '--restart', 'no', 'crash']);
  await until('the loop to end', () => /^exited/.test(ok(['inspect', '-f', '{{.State.Status}}', 'crash'])));
  ok(['rm', '-f', 'crash']);
});

test('on-failure:N stops after N restarts; a clean exit is not restarted', async () => {
  ok(['run', '-d', '--name', 'twice', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1']);
  await until('two restarts and the end', () => ok(['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'twice']) === 'exited 2\n');
  ok(['run', '-d', '--name', 'clean', '--restart', 'on-failure', 'busybox', 'true']);
  await until('exit', () => /^exited/.test(ok(['inspect', '-f', '{{.State.Status}}', 'clean'])));
  await sleep(500);
  assert.equal(restarts('clean'), 0);
  ok(['rm', '-f', 'twice', 'clean']);
});

test('unless-stopped stays stopped when the user stopped it, across a berthd restart', async () => {
  ok(['run', '-d', '--name', 'us', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']);
  ok(['run', '-d', '--name', 'al', '--restart', 'always', 'busybox', 'sleep', '300']);
  ok(['stop', '-t', '1', 'us', 'al']);
  await d.kill9();
  await d.restart();
  await until('always to come back', () => /^running/.test(ok(['inspect', '-f', '{{.State.Status}}', 'al'])));
  assert.equal(ok(['inspect', '-f', '{{.State.Status}}', 'us']), 'exited\n');
  ok(['start', 'us']);
  assert.equal(ok(['inspect', '-f', '{{.State.Status}}', 'us']), 'running\n');
  ok(['rm', '-f', 'us', 'al']);
});

test('a rotated log stays under max-size x max-file, and logs reads across the files', async () => {
  ok(['run', '-d', '--name', 'chatty', '--log-opt', 'max-size=8k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c',
    'i=0; while [ $i -lt 2000 ]; do echo "line $i of a chatty container"; i=$((i+1)); [ $((i % 50)) = 0 ] && sleep 0.05; done; echo done']);
  await until('the end', () => /^exited/.test(ok(['inspect', '-f', '{{.State.Status}}', 'chatty'])), 200);
  const logPath = ok(['inspect', '-f', '{{.LogPath}}', 'chatty']).trim();
  const files = readdirSync(dirname(logPath)).filter((f) => f.startsWith(logPath.split('/').pop()!));
  const total = files.reduce((a, f) => a + statSync(join(dirname(logPath), f)).size, 0);
  assert.ok(files.length >= 2 && files.length <= 3, `files: ${files.join(' ')}`);
  assert.ok(total <= 3 * 8 * 1024, `log is ${total} bytes`);
  const out = ok(['logs', 'chatty']).trim().split('\n');
  assert.equal(out[out.length - 1], 'done');
  assert.ok(out.length > 120, `only ${out.length} lines kept`);
  // The kept lines are the newest, in order.
  const nums = out.slice(0, -1).map((l) => Number(/line (\d+)/.exec(l)![1]));
  assert.deepEqual(nums, [...nums].sort((a, b) => a - b));
  assert.equal(nums[nums.length - 1], 1999);
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'chatty']), '{"Type":"json-file","Config":{"max-file":"3","max-size":"8k"}}\n');
  assert.match(d.docker(['run', '--rm', '--log-driver', 'syslog', 'busybox', 'true']).stderr, /logging plugin syslog/);
  ok(['rm', 'chatty']);
});
