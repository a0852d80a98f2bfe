// Containers outlive berthd: after `kill -9` of berthd and a restart, running containers are still
// running and listed, exits that happened meanwhile are recorded, --rm containers are removed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

test('kill -9 berthd: containers keep running and are recovered', async () => {
  ok(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'echo before; sleep 300']);
  ok(['run', '-d', '--name', 'quitter', 'busybox', 'sh', '-c', 'read x < /dev/null; sleep 1; exit 7']);
  ok(['run', '-d', '--rm', '--name', 'tidy', 'busybox', 'sleep', '1']);
  const pid = ok(['inspect', '-f', '{{.State.Pid}}', 'survivor']).trim();
  await d.kill9();
  // Both short containers exit while berthd is down (bounded wait for the exit files).
  await new Promise((r) => setTimeout(r, 2500));
  await d.restart();
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'survivor']), `running ${pid}\n`);
  assert.match(ok(['ps', '--format', '{{.Names}}']), /^survivor$/m);
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'quitter']), 'exited 7\n');
  assert.match(d.docker(['container', 'inspect', 'tidy']).stderr, /No such container: tidy/);
  assert.equal(ok(['logs', 'survivor']), 'before\n');
  // The recovered container is fully managed again: stop learns its exit through the exit dir.
  ok(['stop', '-t', '1', 'survivor']);
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'survivor']), 'exited 137\n');
  ok(['rm', 'survivor', 'quitter']);
});
