// The Dockerfile parser (lines → nodes → instructions), Docker's word rules and .dockerignore patterns.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../src/build/parser/nodes.js';
import { planStages, toInstruction } from '../../src/build/parser/instructions.js';
import { expandWord, expandWords, splitWords } from '../../src/build/parser/shell-words.js';
import { IgnoreMatcher, parseDockerignore } from '../../src/fs/dockerignore.js';
import { goDuration, healthText, parseGoDuration, goQuoteList, cacheKeyOf } from '../../src/build/run-config.js';

describe('Dockerfile nodes', () => {
  test('directives, comments, continuations with comment lines inside, line numbers', () => {
    const p = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\n\n# a comment\nFROM busybox\nRUN echo a `\n  # inside\n  b\nlabel x=1\n');
    assert.equal(p.directives.escape, '`');
    assert.equal(p.directives.syntax, 'docker/dockerfile:1');
    assert.deepEqual(p.nodes.map((n) => [n.keyword, n.args, n.startLine, n.endLine]), [['from', 'busybox', 5, 5], ['run', 'echo a   b', 6, 8], ['label', 'x=1', 9, 9]]);
  });

  test('a directive after an instruction is a comment; flags split off; heredocs read', () => {
    const p = parseDockerfile('FROM busybox\n# escape=`\nCOPY --chown=1:2 --link <<EOF /x\nline $A\nEOF\nRUN <<-"END"\n\techo hi\n\tEND\n');
    assert.equal(p.directives.escape, '\\');
    const [, copy, run] = p.nodes;
    assert.deepEqual(copy.flags, ['--chown=1:2', '--link']);
    assert.deepEqual(copy.heredocs, [{ name: 'EOF', content: 'line $A\n', expand: true }]);
    assert.deepEqual(run.heredocs, [{ name: 'END', content: 'echo hi\n', expand: false }]);
  });

  test('Docker\'s errors with line numbers', () => {
    const plan = (t: string) => planStages(parseDockerfile(t).nodes, '\\');
    assert.throws(() => plan('FROM busybox\nFOO bar\n'), /dockerfile parse error line 2: unknown instruction: FOO/);
    assert.throws(() => plan('FROM busybox\nENV\n'), /line 2: ENV requires at least one argument/);
    assert.throws(() => plan('FROM busybox\nENV a\n'), /ENV must have two arguments/);
    assert.throws(() => plan('FROM a b\n'), /FROM requires either one or three arguments/);
    assert.throws(() => plan('FROM busybox\nCOPY x\n'), /COPY requires at least two arguments/);
    assert.throws(() => plan('FROM busybox\nCOPY --bogus=1 a b\n'), /Unknown flag: bogus/);
    assert.throws(() => plan('RUN true\n'), /no build stage in current context/);
    assert.throws(() => plan('FROM busybox\nONBUILD ONBUILD RUN x\n'), /Chaining ONBUILD/);
    assert.throws(() => plan('FROM busybox\nSHELL sh -c\n'), /SHELL requires the arguments to be in JSON form/);
  });

  test('instructions: exec vs shell form, stages, meta args, healthcheck', () => {
    const p = planStages(parseDockerfile('ARG B=busybox\nFROM $B AS Build\nRUN ["echo","x"]\nCMD echo hi\nHEALTHCHECK --interval=5s CMD ["true"]\nFROM build\n').nodes, '\\');
    assert.equal(p.metaArgs[0].name, 'B');
    assert.equal(p.stages[0].name, 'build');
    assert.deepEqual(p.stages[0].steps.map((s) => s.kind), ['run', 'cmd', 'healthcheck']);
    const [run, cmd, hc] = p.stages[0].steps;
    assert.deepEqual(run.kind === 'run' && run.cmd, { exec: ['echo', 'x'] });
    assert.deepEqual(cmd.kind === 'cmd' && cmd.cmd, { shell: 'echo hi' });
    assert.deepEqual(hc.kind === 'healthcheck' && hc.health, { test: ['CMD', 'true'], interval: '5s', timeout: undefined, startPeriod: undefined, retries: undefined });
    const node = parseDockerfile('onbuild run echo hi').nodes[0];
    assert.deepEqual(toInstruction(node, '\\'), { kind: 'onbuild', expression: 'run echo hi', node });
  });
});

describe('Docker\'s word rules', () => {
  const env = new Map([['A', 'x'], ['E', ''], ['S', 'two words']]);
  test('substitution forms', () => {
    assert.equal(expandWord('$A ${A} ${A:-d} ${U:-d} ${E:-d} ${E-d} ${A:+alt} ${U:+alt} ${E+set}', env, '\\'), 'x x x d d  alt  set');
    assert.equal(expandWord('${U:-${A}y}', env, '\\'), 'xy');
    assert.throws(() => expandWord('${U:?must be set}', env, '\\'), /U: must be set/);
  });
  test('quotes and escapes', () => {
    assert.equal(expandWord(`'$A' "$A" \\$A "a\\"b" "a\\nb"`, env, '\\'), `$A x $A a"b a\\nb`);
    assert.equal(expandWord('`$A', env, '`'), '$A');
  });
  test('words split on unquoted blanks and on expanded values outside quotes', () => {
    assert.deepEqual(splitWords('a "b c" d\\ e', '\\'), ['a', '"b c"', 'd\\ e']);
    assert.deepEqual(expandWords('$S "$S" x', env, '\\'), ['two', 'words', 'two words', 'x']);
  });
});

describe('.dockerignore', () => {
  test('**, *, ?, exceptions and parent directories, as Docker matches them', () => {
    const m = new IgnoreMatcher(parseDockerignore('# c\n*.md\n!README.md\n**/*.log\n/build/\nkeep\n!keep/x\ntmp?\n'));
    assert.equal(m.ignores('a.md'), true);
    assert.equal(m.ignores('README.md'), false);
    assert.equal(m.ignores('sub/a.md'), false, '* does not cross directories');
    assert.equal(m.ignores('x.log'), true);
    assert.equal(m.ignores('a/b/c.log'), true);
    assert.equal(m.ignores('build/out/x'), true, 'a matched parent excludes what is below');
    assert.equal(m.ignores('keep/y'), true);
    assert.equal(m.ignores('keep/x'), false);
    assert.equal(m.ignores('tmp1'), true);
    assert.equal(m.ignores('tmp12'), false);
    assert.equal(m.ignores('src/main.go'), false);
  });
});

describe('history text as Docker writes it', () => {
  test('Go durations, %q lists and the HEALTHCHECK struct', () => {
    assert.equal(goDuration(0), '0s');
    assert.equal(goDuration(5e9), '5s');
    assert.equal(goDuration(90e9), '1m30s');
    assert.equal(goDuration(1.5e6), '1.5ms');
    assert.equal(goDuration(3600e9), '1h0m0s');
    assert.equal(parseGoDuration('1m30s', 'x'), 90e9);
    assert.throws(() => parseGoDuration('5 s', 'Interval'), /invalid duration/);
    assert.equal(goQuoteList(['-c', 'echo "hi"']), '["-c" "echo \\"hi\\""]');
    assert.equal(healthText({ Test: ['CMD-SHELL', 'true'], Interval: 5e9 }), `&{["CMD-SHELL" "true"] "5s" "0s" "0s" '\\x00'}`);
  });
  test('the cache key ignores Image and Hostname and empty values', () => {
    assert.equal(cacheKeyOf({ Cmd: ['a'], Image: 'x', Hostname: 'h', Env: [] }), cacheKeyOf({ Cmd: ['a'], Labels: null }));
    assert.notEqual(cacheKeyOf({ Cmd: ['a'] }), cacheKeyOf({ Cmd: ['b'] }));
  });
});
