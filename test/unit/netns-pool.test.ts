// The namespace pool with a fake driver (no netavark): entries are made up to the size, handed out
// once each by moving their file, never reused after a restart, and torn down on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsPool, type PoolDriver, type PoolEntry } from '../../src/netavark/netns-pool.js';

function fakeDriver() {
  const live = new Set<string>();
  const destroyed: string[] = [];
  let next = 1;
  const driver: PoolDriver = {
    plan: (id) => ({ id, nsPath: `/fake/${id.slice(0, 6)}`, networkId: 'n', key: 'bridge', options: {} as never, ip: `10.0.0.${next++}`, mac: '' }),
    setup: async (e) => { live.add(e.id); return '02:00:00:00:00:01'; },
    destroy: async (e) => { live.delete(e.id); destroyed.push(e.id); },
    discard: async (e) => { live.delete(e.id); destroyed.push(e.id); },
  };
  return { driver, live, destroyed };
}

const settle = async (pool: NetnsPool, n: number) => {
  for (let i = 0; i < 100 && pool.readyCount < n; i++) await new Promise((r) => setTimeout(r, 5));
};

test('fills to its size; each take moves one entry to its taker; it refills once down to half', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pool-'));
  const dest = mkdtempSync(join(tmpdir(), 'berth-pool-dest-'));
  try {
    const { driver, live } = fakeDriver();
    const pool = new NetnsPool(join(dir, 'pool'), 3, driver);
    pool.refill();
    await settle(pool, 3);
    assert.equal(pool.readyCount, 3);
    assert.equal(pool.ips().length, 3);
    const taken: PoolEntry[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await pool.take(join(dest, `c${i}.json`));
      assert.ok(e, 'an entry is ready');
      assert.equal(e.mac, '02:00:00:00:00:01');
      taken.push(e);
      if (pool.readyCount <= 1) await settle(pool, 3); // down to half: refilling
      assert.ok(pool.readyCount >= 1);
    }
    assert.equal(new Set(taken.map((e) => e.id)).size, 5, 'no entry handed out twice');
    assert.equal(readdirSync(dest).length, 5, 'the takers own the files');
    assert.ok(!taken.some((e) => pool.ips().includes(e.ip)), 'a taken address is no longer the pool\'s');
    await pool.close();
    assert.equal(readdirSync(join(dir, 'pool')).length, 0, 'close tears down the ready ones');
    assert.equal(live.size, 5, 'only the taken ones are still set up');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
  }
});

test('after a crash, what was left in the pool is torn down, never handed out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pool-'));
  try {
    const first = fakeDriver();
    const crashed = new NetnsPool(join(dir, 'pool'), 2, first.driver);
    crashed.refill();
    await settle(crashed, 2);
    const left = readdirSync(join(dir, 'pool')).map((f) => f.replace('.json', ''));
    assert.equal(left.length, 2, 'only whole entry files, no temp files of the atomic writes');
    // What a crash in the middle of an atomic write leaves: a temp file, removed by the sweep.
    writeFileSync(join(dir, 'pool', `.${left[0]}.json.0a1b2c3d.tmp`), '{"id":');
    // A new berthd on the same directory (the first one "died" without closing).
    const second = fakeDriver();
    const pool = new NetnsPool(join(dir, 'pool'), 2, second.driver);
    assert.equal(await pool.sweep(), 2);
    assert.deepEqual(second.destroyed.sort(), left.sort());
    assert.deepEqual(readdirSync(join(dir, 'pool')), [], 'leftovers and the torn temp file are gone');
    pool.refill();
    await settle(pool, 2);
    const e = await pool.take(join(dir, 'taken.json'));
    assert.ok(e && !left.includes(e.id), 'a fresh entry, not a leftover');
    assert.ok(existsSync(join(dir, 'taken.json')));
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed set-up is torn down and does not spin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pool-'));
  try {
    let setups = 0;
    const destroyed: string[] = [];
    const pool = new NetnsPool(join(dir, 'pool'), 4, {
      plan: (id) => ({ id, nsPath: '/fake', networkId: 'n', key: 'bridge', options: {} as never, ip: '10.0.0.9', mac: '' }),
      setup: async () => { setups++; throw new Error('netavark said no'); },
      destroy: async (e) => { destroyed.push(e.id); },
      discard: async (e) => { destroyed.push(e.id); },
    });
    pool.refill();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(setups, 1);
    assert.equal(destroyed.length, 1);
    assert.equal(await pool.take(join(dir, 'x.json')), undefined);
    await pool.close();
    assert.equal(readdirSync(join(dir, 'pool')).length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a namespace given back is handed out again; the pool never holds more than its size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pool-'));
  const dest = mkdtempSync(join(tmpdir(), 'berth-pool-dest-'));
  try {
    const { driver, live, destroyed } = fakeDriver();
    const pool = new NetnsPool(join(dir, 'pool'), 2, driver);
    pool.refill();
    await settle(pool, 2);
    const a = await pool.take(join(dest, 'a.json'));
    assert.ok(a);
    assert.equal(pool.readyCount, 1, 'above half: no refill yet');
    assert.equal(await pool.giveBack(a, join(dest, 'a.json')), true);
    assert.equal(pool.readyCount, 2);
    assert.ok(pool.ips().includes(a.ip), 'its address is the pool\'s again');
    assert.ok(existsSync(join(dir, 'pool', `${a.id}.json`)) && !existsSync(join(dest, 'a.json')), 'its file moved back');
    // Full: a further namespace is refused (the caller deletes it).
    const b = await pool.take(join(dest, 'b.json'));
    const c = await pool.take(join(dest, 'c.json'));
    assert.ok(b && c);
    assert.equal(c.id, a.id, 'the entry given back is handed out again');
    await settle(pool, 2);
    assert.equal(pool.readyCount, 2, 'refilled once empty');
    assert.equal(await pool.giveBack(b, join(dest, 'b.json')), false);
    assert.ok(existsSync(join(dest, 'b.json')), 'a refused entry stays with its taker');
    const again = new Set<string>();
    for (let i = 0; i < 2; i++) again.add((await pool.take(join(dest, `d${i}.json`)))!.id);
    assert.ok(!again.has(b.id) && !again.has(c.id), 'an entry out with a taker is never handed out');
    await pool.close();
    assert.ok(!destroyed.includes(b.id), 'the refused entry is its taker\'s to delete, not the pool\'s');
    assert.ok(live.has(b.id));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
  }
});
