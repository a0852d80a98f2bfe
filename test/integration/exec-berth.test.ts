// The same verbs through Berth's own CLI: exec (exit codes, stdin, -e/-u/-w, -d), cp both ways, diff,
// export, and exec -it / attach under script(1). (Containers run with --network none.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, BERTH, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let work: string;
before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'berth-exec-cli-'));
  ok(['run', '-d', '--network', 'none', '--name', 'be', 'busybox', 'sleep', '600']);
});
after(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

function ok(args: string[], opts?: { input?: string }): string {
  const r = d.berth(args, { timeoutMs: 60_000, ...opts });
  assert.equal(r.code, 0, `berth ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Runs `cmd` in a 30x100 terminal, typing each of `keys` a second apart (after 2 s for start-up). */
function underScript(cmd: string, ...keys: string[]): string {
  const feed = keys.map((k) => `printf '%b' '${k}'; sleep 1`).join('; ');
  const r = spawnSync('bash', ['-c', `(sleep 2; ${feed}; sleep 2) | script -qec 'stty rows 30 cols 100; ${cmd}; echo "[exit=$?]"' /dev/null`], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  return r.stdout ?? '';
}

test('berth exec: output, exit codes, stdin, -e/-u/-w, -d', () => {
  assert.equal(ok(['exec', 'be', 'echo', 'x']), 'x\n');
  assert.equal(d.berth(['exec', 'be', 'sh', '-c', 'exit 3']).code, 3);
  assert.equal(d.berth(['exec', 'be', 'nosuchcommand']).code, 127);
  assert.equal(ok(['exec', '-i', 'be', 'cat'], { input: 'in\n' }), 'in\n');
  assert.equal(ok(['exec', '-e', 'A=1', '-u', 'nobody', '-w', '/tmp', 'be', 'sh', '-c', 'echo $A $(id -u) $(pwd)']), '1 65534 /tmp\n');
  assert.equal(ok(['exec', '-d', 'be', 'sleep', '5']), '');
});

test('berth exec -it and attach in a terminal', () => {
  const screen = underScript(`node ${BERTH} -H ${d.host} exec -it be sh -c "stty size; read x; exit 4"`, 'go\\r');
  assert.match(screen, /30 100/);
  assert.match(screen, /\[exit=4\]/);
  ok(['run', '-dit', '--network', 'none', '--name', 'ba', 'busybox', 'sh']);
  const att = underScript(`node ${BERTH} -H ${d.host} attach ba`, 'echo seen-$((5+5))\\r', '\\020\\021');
  assert.match(att, /seen-10/);
  assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'ba']).trim(), 'true');
});

test('berth cp both ways, diff and export', () => {
  const src = join(work, 'f');
  writeFileSync(src, 'from host\n');
  ok(['cp', src, 'be:/tmp/f']);
  assert.equal(ok(['exec', 'be', 'cat', '/tmp/f']), 'from host\n');
  ok(['cp', 'be:/tmp/f', join(work, 'back')]);
  assert.equal(readFileSync(join(work, 'back'), 'utf8'), 'from host\n');
  ok(['cp', 'be:/etc', work]);
  assert.match(readFileSync(join(work, 'etc/passwd'), 'utf8'), /^root:/);
  assert.match(ok(['diff', 'be']), /^A \/tmp\/f$/m);
  const r = spawnSync('sh', ['-c', `node ${BERTH} -H ${d.host} export be | tar t`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.split('\n').includes('tmp/f'));
});
