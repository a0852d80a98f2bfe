// Engine-side bounds: a wait whose client went away leaves no listener; exec sessions created and never
// started expire and are bounded per container; exec output held for a reader that does not read is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { waitFor } from '../../src/engine/containers/wait.js';
import { ExecService, MAX_PENDING_PER_CONTAINER, PENDING_EXEC_TTL_MS } from '../../src/engine/exec/exec-service.js';
import { buffered, EXEC_OUTPUT_BUFFER } from '../../src/engine/exec/exec-process.js';
import type { ContainerService } from '../../src/engine/containers/container-service.js';
import type { ContainerRecord } from '../../src/model/container.js';
import { EventBus } from '../../src/model/events.js';

const rec = { Id: 'c1', State: { Status: 'running', ExitCode: 0 } } as unknown as ContainerRecord;

test('wait: an aborted waiter takes its listeners with it', async () => {
  const lc = new EventEmitter();
  for (let i = 0; i < 50; i++) {
    const ac = new AbortController();
    const w = waitFor(lc, rec, i % 2 ? 'removed' : 'next-exit', true, ac.signal);
    ac.abort();
    await assert.rejects(w, /client went away/);
  }
  assert.equal(lc.listenerCount('exit:c1') + lc.listenerCount('remove:c1'), 0);
  const w = waitFor(lc, rec, 'next-exit', true);
  lc.emit('exit:c1', 3);
  assert.equal(await w, 3);
  assert.equal(lc.listenerCount('exit:c1') + lc.listenerCount('remove:c1'), 0, 'an answered wait leaves nothing either');
});

test('exec: unstarted sessions are bounded per container and expire', () => {
  let now = 1_000_000;
  const containers = {
    resolve: () => rec, isRunning: () => true, attributes: () => ({}), lifecycle: new EventEmitter(),
  } as unknown as ContainerService;
  const execs = new ExecService({ config: { runtimes: {} }, containers, events: new EventBus(), now: () => now });
  const ids: string[] = [];
  for (let i = 0; i < MAX_PENDING_PER_CONTAINER + 10; i++) ids.push(execs.create('c1', { Cmd: ['true'] }).Id);
  assert.throws(() => execs.get(ids[0]), /No such exec instance/, 'the oldest went first');
  assert.equal(execs.get(ids[ids.length - 1]).id, ids[ids.length - 1]);
  now += PENDING_EXEC_TTL_MS - 1;
  assert.equal(execs.expirePending(), 0);
  now += 1;
  assert.equal(execs.expirePending(), MAX_PENDING_PER_CONTAINER);
  assert.throws(() => execs.get(ids[ids.length - 1]), /No such exec instance/);
});

test('exec output: a reader that does not read holds at most the bound in berthd', async () => {
  let produced = 0;
  const chunk = Buffer.alloc(16 * 1024, 1);
  // A process writing 4 MiB as fast as it may.
  const source = new Readable({ read() { if (produced >= 4 * 1024 * 1024) { this.push(null); return; } produced += chunk.length; this.push(chunk); } });
  const out = buffered(source);
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.ok(out.readableLength <= EXEC_OUTPUT_BUFFER, `held ${out.readableLength}`);
  assert.ok(produced < 4 * 1024 * 1024, 'the source was paused');
  let read = 0;
  for await (const c of out) read += (c as Buffer).length;
  assert.equal(read, 4 * 1024 * 1024, 'nothing lost once the reader reads');
});
