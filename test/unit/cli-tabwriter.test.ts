import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from '../../src/cli/format/tabwriter.js';

test('columns: width = longest cell + 3, at least 10; last cell unpadded', () => {
  const out = tabwrite('CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox\tweb\n');
  assert.equal(out, 'CONTAINER ID   IMAGE     NAMES\nabc            busybox   web\n');
});

test('runes count as one column (ellipsis)', () => {
  const out = tabwrite('A\tB\n"echo hello world an…"\tx\n');
  assert.equal(out, 'A' + ' '.repeat(24) + 'B\n"echo hello world an…"   x\n');
});

test('column blocks: lines with fewer cells end a block', () => {
  const out = tabwrite('a\tb\tc\nlong-cell-here\td\nx\n1\t2\t3\n');
  const pad = (s: string, n: number) => s + ' '.repeat(n - s.length);
  assert.equal(out, [pad('a', 17) + pad('b', 10) + 'c', pad('long-cell-here', 17) + 'd', 'x', pad('1', 10) + pad('2', 10) + '3', ''].join('\n'));
});

test('top uses minwidth 20', () => {
  assert.equal(tabwrite('UID\tPID\nroot\t1\n', { minWidth: 20, padding: 3 }), 'UID                 PID\nroot                1\n');
});
