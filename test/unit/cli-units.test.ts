import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize, bytesSize, humanDuration, formatG, parseMemory } from '../../src/cli/format/units.js';
import { ellipsis, truncateId, goTimeString } from '../../src/cli/format/formatter.js';
import { getTimestamp, parseGoDuration } from '../../src/cli/verbs/timestamps.js';

test('HumanSize: decimal units, 3 or 4 significant digits, Go %g', () => {
  assert.equal(humanSize(0, 3), '0B');
  assert.equal(humanSize(999, 3), '999B');
  assert.equal(humanSize(1000, 3), '1kB');
  assert.equal(humanSize(4_257_000, 3), '4.26MB');
  assert.equal(humanSize(1_981_534, 3), '1.98MB');
  assert.equal(humanSize(1_981_534), '1.982MB');
  assert.equal(humanSize(1_200_000_000, 3), '1.2GB');
  assert.equal(humanSize(123_456_789, 3), '123MB');
  assert.equal(humanSize(999_900, 3), '1e+03kB');
  assert.equal(humanSize(524_288), '524.3kB');
  assert.equal(bytesSize(1024 * 1024 * 1.5), '1.5MiB');
  assert.equal(formatG(0.00001234, 3), '1.23e-05');
});

test('HumanDuration as go-units', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(45_000), '45 seconds');
  assert.equal(humanDuration(61_000), 'About a minute');
  assert.equal(humanDuration(5 * 60_000), '5 minutes');
  assert.equal(humanDuration(60 * 60_000), 'About an hour');
  assert.equal(humanDuration(2 * 3600_000), '2 hours');
  assert.equal(humanDuration(47 * 3600_000), '47 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
  assert.equal(humanDuration(20 * 86400_000), '2 weeks');
  assert.equal(humanDuration(90 * 86400_000), '3 months');
  assert.equal(humanDuration(800 * 86400_000), '2 years');
});

test('ids, ellipsis, times', () => {
  assert.equal(truncateId('sha256:85fa80058561b991f6cd75b24839a2084ed811364d180073ab60f1e88650a43d'), '85fa80058561');
  assert.equal(truncateId('<missing>'), '<missing>');
  assert.equal(ellipsis('echo hello world and more', 20), 'echo hello world an…');
  assert.equal(ellipsis('short', 20), 'short');
  if (new Date().getTimezoneOffset() === 0) assert.equal(goTimeString(1704067200), '2024-01-01 00:00:00 +0000 UTC');
});

test('memory sizes and timestamps', () => {
  assert.equal(parseMemory('512m'), 512 * 1024 * 1024);
  assert.equal(parseMemory('1g'), 1024 ** 3);
  assert.equal(parseGoDuration('1h30m'), 5400);
  assert.equal(parseGoDuration('abc'), undefined);
  assert.equal(getTimestamp('1700000000', 0), '1700000000');
  assert.equal(getTimestamp('10s', 1_700_000_010_000), '1700000000.000000000');
  assert.equal(getTimestamp('2024-01-01T00:00:00Z', 0), '1704067200.000000000');
});
