import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeLogConfig, parseLogSize, policyOf } from '../../src/engine/logs/log-config.js';
import { LogView } from '../../src/engine/logs/log-view.js';
import { nextDelay, policyRestarts } from '../../src/engine/containers/restart-backoff.js';

const daemon = { driver: 'json-file', opts: { 'max-size': '20m', 'max-file': '5' } };

test('log drivers: Docker names, daemon defaults filled in, unknown ones refused', () => {
  assert.deepEqual(normalizeLogConfig(undefined, daemon), { Type: 'json-file', Config: { 'max-size': '20m', 'max-file': '5' } });
  assert.deepEqual(normalizeLogConfig({ Type: 'json-file', Config: { 'max-size': '1m' } }, daemon), { Type: 'json-file', Config: { 'max-size': '1m' } });
  assert.deepEqual(normalizeLogConfig({ Type: 'none' }, daemon), { Type: 'none', Config: {} });
  assert.deepEqual(normalizeLogConfig({ Type: 'local' }, { driver: 'json-file', opts: {} }).Config, { 'max-size': '20m', 'max-file': '5' });
  assert.throws(() => normalizeLogConfig({ Type: 'syslog' }, daemon), /error looking up logging plugin syslog: plugin "syslog" not found/);
  assert.throws(() => normalizeLogConfig({ Type: 'json-file', Config: { labels: 'a' } }, daemon), /unknown log opt 'labels' for json-file log driver/);
  assert.throws(() => normalizeLogConfig({ Type: 'json-file', Config: { 'max-file': '3' } }, daemon), /max-file can only be used with max-size/);
  assert.throws(() => normalizeLogConfig({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '0' } }, daemon), /max-file cannot be less than 1/);
  assert.equal(parseLogSize('10m'), 10 * 1024 * 1024);
  assert.equal(parseLogSize('512k'), 512 * 1024);
  assert.deepEqual(policyOf({ Type: 'json-file', Config: { 'max-size': '4k', 'max-file': '3' } }), { driver: 'json-file', maxSize: 4096, maxFile: 3, readable: true });
  assert.equal(policyOf({ Type: 'none' }).readable, false);
  assert.equal(policyOf(undefined).maxSize, undefined);
});

test('LogView reads rotated files then the live one, and follows a rotation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-logview-'));
  try {
    const p = join(dir, 'c.log');
    writeFileSync(`${p}.2`, 'aa\n');
    writeFileSync(`${p}.1`, 'bb\n');
    writeFileSync(p, 'cc\n');
    const v = await LogView.open(p, 3);
    const all = async () => {
      const size = await v.size();
      const buf = Buffer.alloc(size);
      let got = 0;
      while (got < size) { const { bytesRead } = await v.read(buf, got, size - got, got); if (!bytesRead) break; got += bytesRead; }
      return buf.subarray(0, got).toString();
    };
    assert.equal(await all(), 'aa\nbb\ncc\n');
    appendFileSync(p, 'dd\n');
    renameSync(p, `${p}.1`);
    writeFileSync(p, 'ee\n');
    await v.refresh();
    assert.equal(await all(), 'aa\nbb\ncc\ndd\nee\n');
    await v.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('restart manager: Docker policy decisions and 100 ms doubling delay, reset after 10 s', () => {
  assert.equal(policyRestarts({ policy: { Name: 'always' }, exitCode: 0, restartCount: 9, manuallyStopped: false }), true);
  assert.equal(policyRestarts({ policy: { Name: 'always' }, exitCode: 1, restartCount: 0, manuallyStopped: true }), false);
  assert.equal(policyRestarts({ policy: { Name: 'unless-stopped' }, exitCode: 0, restartCount: 0, manuallyStopped: false }), true);
  assert.equal(policyRestarts({ policy: { Name: 'on-failure', MaximumRetryCount: 2 }, exitCode: 1, restartCount: 1, manuallyStopped: false }), true);
  assert.equal(policyRestarts({ policy: { Name: 'on-failure', MaximumRetryCount: 2 }, exitCode: 1, restartCount: 2, manuallyStopped: false }), false);
  assert.equal(policyRestarts({ policy: { Name: 'on-failure' }, exitCode: 0, restartCount: 0, manuallyStopped: false }), false);
  assert.equal(policyRestarts({ policy: { Name: 'no' }, exitCode: 1, restartCount: 0, manuallyStopped: false }), false);
  let d = 0;
  const seen: number[] = [];
  for (let i = 0; i < 12; i++) { d = nextDelay(d, 50); seen.push(d); }
  assert.deepEqual(seen.slice(0, 5), [100, 200, 400, 800, 1600]);
  assert.equal(seen[11], 60_000);
  assert.equal(nextDelay(6400, 10_000), 100);
});
