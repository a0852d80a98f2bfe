// berthd killed with SIGKILL at random points of create, start and rm, then restarted: after every
// restart the store is consistent (every container listed can be inspected, and started or removed) and
// nothing is orphaned on the host (conmon, overlay mount, network namespace of a container that is gone).
// npm test runs 20 rounds; BERTH_KILL9_ITERATIONS=50 is the full loop (45-180 s here, by host load); BERTH_KILL9_SEED replays a run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { conmonsFor, mountsUnder, netnsAfterTeardown } from '../helpers/leftovers.js';

const ITERATIONS = Math.min(200, Math.max(1, Number(process.env.BERTH_KILL9_ITERATIONS ?? 20)));
let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with BERTH_KILL9_SEED. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Summary = { Id: string; State: string };

async function list(): Promise<Summary[]> {
  const r = await d.api('GET', '/containers/json?all=1');
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Summary[];
}

test(`kill -9 at random points of create/start/rm, ${ITERATIONS} rounds: the store stays consistent`, { timeout: 15 * 60_000 }, async () => {
  const seed = Number(process.env.BERTH_KILL9_SEED ?? Date.now() % 100_000);
  const rand = prng(seed);
  const seen = new Set<string>();
  const stats = { rounds: 0, requestsCut: 0, containersChecked: 0, started: 0, removed: 0 };
  const t0 = Date.now();
  for (let round = 0; round < ITERATIONS; round++) {
    const existing = (await list()).map((c) => c.Id);
    // A burst of work in flight: creates (some started at once, some --rm), starts, forced removals.
    const inflight: Array<Promise<unknown>> = [];
    // Requests cut by the kill fail: counted, handled at once (not left as unhandled rejections).
    const track = (p: Promise<unknown>) => { inflight.push(p.catch(() => { stats.requestsCut++; })); };
    for (let k = 0; k < 3; k++) {
      const network = rand() < 0.5 ? 'none' : 'bridge';
      const autoRemove = rand() < 0.2;
      track((async () => {
        const c = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', autoRemove ? '0' : '300'], HostConfig: { NetworkMode: network, AutoRemove: autoRemove } });
        if (c.status !== 201) return;
        const id = (JSON.parse(c.body) as { Id: string }).Id;
        seen.add(id);
        if (rand() < 0.7) await d.api('POST', `/containers/${id}/start`);
      })());
    }
    for (const id of existing) {
      const r = rand();
      if (r < 0.3) track(d.api('DELETE', `/containers/${id}?force=1`));
      else if (r < 0.6) track(d.api('POST', `/containers/${id}/start`));
    }
    await sleep(Math.floor(rand() * 400));
    await d.kill9();
    await Promise.all(inflight);
    await d.restart();

    // Every container listed can be inspected, and then started (a few kept for the next round) or removed.
    let kept = 0;
    for (const c of await list()) {
      seen.add(c.Id);
      stats.containersChecked++;
      const inspect = await d.api('GET', `/containers/${c.Id}/json`);
      assert.equal(inspect.status, 200, `round ${round} (seed ${seed}): inspect ${c.Id}: ${inspect.body}`);
      if (rand() < 0.5 && kept < 3) {
        kept++;
        const s = await d.api('POST', `/containers/${c.Id}/start`);
        assert.ok([204, 304].includes(s.status), `round ${round} (seed ${seed}): start ${c.Id}: ${s.status} ${s.body}`);
        stats.started++;
      } else {
        const rm = await d.api('DELETE', `/containers/${c.Id}?force=1`);
        assert.ok([204, 404].includes(rm.status), `round ${round} (seed ${seed}): rm ${c.Id}: ${rm.status} ${rm.body}`);
        stats.removed++;
      }
    }
    // Nothing on the host for containers that are gone.
    const alive = new Set((await list()).map((c) => c.Id));
    for (const id of seen) {
      if (alive.has(id)) continue;
      assert.deepEqual(conmonsFor(id), [], `round ${round} (seed ${seed}): conmon of removed ${id}`);
      assert.deepEqual(await netnsAfterTeardown(id), [], `round ${round} (seed ${seed}): netns of removed ${id}`);
      assert.deepEqual(mountsUnder(`${d.dataRoot}/containers/${id}`), [], `round ${round} (seed ${seed}): mount of removed ${id}`);
    }
    stats.rounds++;
  }
  // The end: everything removed, nothing at all left on the host.
  for (const c of await list()) assert.equal((await d.api('DELETE', `/containers/${c.Id}?force=1`)).status, 204);
  assert.deepEqual(conmonsFor(d.execRoot), [], 'no conmon of this daemon left');
  assert.deepEqual(mountsUnder(d.dataRoot), [], 'no overlay mount left');
  for (const id of seen) assert.deepEqual(await netnsAfterTeardown(id), [], `netns of ${id}`);
  console.log('kill -9 loop', { seed, ...stats, containersSeen: seen.size, seconds: Math.round((Date.now() - t0) / 1000) });
});
