// The stats sampler follows only the containers whose stats were asked for, and forgets them after
// WATCH_TTL_MS, so berthd's idle CPU does not grow with the number of running containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsSampler, WATCH_TTL_MS } from '../../src/engine/stats/stats-sampler.js';

test('stats sampler: nothing is due until asked; a watched id expires after the TTL', () => {
  let now = 1_000_000;
  const sampler = new StatsSampler(() => undefined, () => now);
  assert.deepEqual(sampler.due(), []);
  assert.equal(sampler.watch('a'), undefined);
  sampler.watch('b');
  assert.deepEqual(sampler.due().sort(), ['a', 'b']);
  now += WATCH_TTL_MS / 2;
  sampler.watch('b');
  now += WATCH_TTL_MS / 2 + 1;
  assert.deepEqual(sampler.due(), ['b']);
  now += WATCH_TTL_MS + 1;
  assert.deepEqual(sampler.due(), []);
});
