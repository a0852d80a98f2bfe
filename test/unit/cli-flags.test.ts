import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, UsageError, formatFlagUsages, type FlagSpec } from '../../src/cli/flags.js';

const specs: FlagSpec[] = [
  { long: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open' },
  { long: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
  { long: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
  { long: 'name', kind: 'string', help: 'Assign a name' },
  { long: 'timeout', short: 'n', kind: 'int', help: 'Seconds' },
  { long: 'rm', kind: 'bool', help: 'Remove' },
];

test('long, short, = forms and repeatable lists', () => {
  const p = parseFlags(['--name=web', '-e', 'A=1', '--env', 'B=2', '-eC=3', '-e=D=4', '--rm', 'img'], specs);
  assert.equal(p.string('name'), 'web');
  assert.deepEqual(p.list('env'), ['A=1', 'B=2', 'C=3', 'D=4']);
  assert.equal(p.bool('rm'), true);
  assert.deepEqual(p.args, ['img']);
});

test('combined short booleans, and a value flag ending a cluster', () => {
  const p = parseFlags(['-it', 'busybox'], specs);
  assert.equal(p.bool('interactive'), true);
  assert.equal(p.bool('tty'), true);
  const q = parseFlags(['-ite', 'X=1'], specs);
  assert.deepEqual(q.list('env'), ['X=1']);
});

test('bool with explicit value, ints', () => {
  const p = parseFlags(['--rm=false', '-n', '5'], specs);
  assert.equal(p.bool('rm'), false);
  assert.equal(p.has('rm'), true);
  assert.equal(p.int('timeout'), 5);
  assert.throws(() => parseFlags(['-n', 'x'], specs), /invalid argument "x" for "-n, --timeout" flag/);
});

test('-- ends flags; non-interspersed mode stops at the first argument', () => {
  assert.deepEqual(parseFlags(['--', '-i', 'x'], specs).args, ['-i', 'x']);
  const p = parseFlags(['-i', 'busybox', 'ls', '-l', '--rm'], specs, { interspersed: false });
  assert.deepEqual(p.args, ['busybox', 'ls', '-l', '--rm']);
  assert.equal(p.bool('rm'), false);
  const q = parseFlags(['a', '--rm', 'b'], specs);
  assert.deepEqual(q.args, ['a', 'b']);
  assert.equal(q.bool('rm'), true);
});

test("docker's messages for unknown flags and missing values", () => {
  assert.throws(() => parseFlags(['--nope'], specs), (e: Error) => e instanceof UsageError && e.message === 'unknown flag: --nope');
  assert.throws(() => parseFlags(['-z'], specs), { message: "unknown shorthand flag: 'z' in -z" });
  assert.throws(() => parseFlags(['--name'], specs), { message: 'flag needs an argument: --name' });
  assert.throws(() => parseFlags(['-e'], specs), { message: "flag needs an argument: 'e' in -e" });
});

test('--help and -h (when -h is not a flag)', () => {
  assert.equal(parseFlags(['--help'], specs).helpRequested, true);
  assert.equal(parseFlags(['-h'], specs).helpRequested, true);
  const withH = parseFlags(['-h', 'box'], [...specs, { long: 'hostname', short: 'h', kind: 'string', help: 'Host' }]);
  assert.equal(withH.helpRequested, false);
  assert.equal(withH.string('hostname'), 'box');
});

test('usage listing aligns descriptions like pflag', () => {
  const text = formatFlagUsages([
    { long: 'force', short: 'f', kind: 'bool', help: 'Force' },
    { long: 'name', kind: 'string', help: 'Name', defaultText: '"x"' },
  ]);
  assert.equal(text, '  -f, --force         Force\n      --name string   Name (default "x")');
});

test('detach keys: docker format, held partial matches, completion', async () => {
  const { parseDetachKeys } = await import('../../src/cli/verbs/detach-keys.js');
  const { DetachKeyMatcher: DetachDetector } = await import('../../src/util/detach-keys.js');
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('a,ctrl-@,ctrl-[')], [97, 0, 27]);
  assert.throws(() => parseDetachKeys('ctrl-pp'), /Invalid escape keys/);
  const d = new DetachDetector(Buffer.from([16, 17]));
  assert.deepEqual(d.push(Buffer.from('ab\x10')), { forward: Buffer.from('ab'), detach: false });
  assert.deepEqual(d.push(Buffer.from('x')), { forward: Buffer.from('\x10x'), detach: false });
  assert.deepEqual(d.push(Buffer.from('\x10\x10')), { forward: Buffer.from('\x10'), detach: false });
  assert.deepEqual(d.push(Buffer.from('\x11rest')), { forward: Buffer.alloc(0), detach: true });
});
