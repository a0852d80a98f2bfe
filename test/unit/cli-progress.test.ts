import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressRenderer, progressString, JsonMessageError } from '../../src/cli/format/progress.js';

test('progress bar as jsonmessage draws it (wide terminal)', () => {
  assert.equal(progressString({ current: 524288, total: 2131000 }, 150, 0), `[============>${' '.repeat(38)}]  524.3kB/2.131MB`);
  assert.equal(progressString({ current: 524288, total: 2131000 }, 80, 0), ' 524.3kB/2.131MB');
  assert.equal(progressString({ current: 5, total: 10, units: 'items' }, 80, 0), '5/10 items');
  assert.equal(progressString({ current: 0, total: 0 }, 150, 0), '');
  assert.equal(progressString({ current: 100, total: 200, start: 90 }, 80, 100), '    100B/200B 10s');
});

function capture(isTerminal: boolean, width = 150) {
  let out = '';
  return { r: new ProgressRenderer({ write: (s) => { out += s; }, isTerminal, width, now: () => 0 }), text: () => out };
}

test('terminal: one line per id, redrawn in place with cursor moves', () => {
  const c = capture(true);
  c.r.push({ status: 'Loading layer', id: 'aaa', progressDetail: { current: 1000, total: 2000 } });
  c.r.push({ status: 'Loading layer', id: 'aaa', progressDetail: { current: 2000, total: 2000 } });
  c.r.push({ stream: 'Loaded image: busybox:latest\n' });
  const bar1 = `[${'='.repeat(25)}>${' '.repeat(25)}]      1kB/2kB`;
  const bar2 = `[${'='.repeat(50)}>]      2kB/2kB`;
  assert.equal(c.text(),
    `\n\x1b[1A\x1b[2K\raaa: Loading layer ${bar1}\r\x1b[1B` +
    `\x1b[1A\x1b[2K\raaa: Loading layer ${bar2}\r\x1b[1B` +
    'Loaded image: busybox:latest\n');
});

test('not a terminal: progress dropped, status and stream kept', () => {
  const c = capture(false);
  c.r.push({ status: 'Loading layer', id: 'aaa', progressDetail: { current: 1000, total: 2000 } });
  c.r.push({ status: 'Done', id: 'aaa' });
  c.r.push({ stream: 'Loaded image: x:1\n' });
  assert.equal(c.text(), 'aaa: Done\nLoaded image: x:1\n');
});

test('an error message in the stream fails the command', () => {
  const c = capture(false);
  assert.throws(() => c.r.push({ errorDetail: { message: 'bad tar' }, error: 'bad tar' }), (e: Error) => e instanceof JsonMessageError && e.message === 'bad tar');
});
