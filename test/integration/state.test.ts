// Berth's state under stress: unreadable records are set aside (never deleted) and reported by
// `berth system check`; rm, prune, start, network connect and in-flight names raced through the API
// (bounded loops) always end in one consistent outcome with Docker's status codes, never a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { conmonsFor, netnsAfterTeardown } from '../helpers/leftovers.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function create(name?: string): Promise<string> {
  const r = await d.api('POST', `/containers/create${name ? `?name=${name}` : ''}`, { Image: 'busybox', Cmd: ['sleep', '300'] });
  assert.equal(r.status, 201, r.body);
  return (JSON.parse(r.body) as { Id: string }).Id;
}

async function running(id: string): Promise<boolean | undefined> {
  const r = await d.api('GET', `/containers/${id}/json`);
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { State: { Running: boolean } }).State.Running;
}

/** The container is gone with everything it had on the host. */
async function assertGone(id: string): Promise<void> {
  assert.equal(await running(id), undefined);
  assert.deepEqual(conmonsFor(id), [], 'no conmon left');
  assert.deepEqual(await netnsAfterTeardown(id), [], 'no network namespace left');
  assert.ok(!existsSync(join(d.dataRoot, 'containers', id)));
}

test('an unreadable record is set aside with its files, and berth system check says so', async () => {
  const keep = ok(['create', '--name', 'keep', 'busybox', 'true']).trim();
  const bad = ok(['create', '--name', 'bad', 'busybox', 'sh', '-c', 'echo precious > /data.txt']).trim();
  ok(['start', '-a', 'bad']);
  assert.equal(d.berth(['system', 'check']).stdout, 'No problems found.\n');
  await d.kill9();
  writeFileSync(join(d.dataRoot, 'containers', bad, 'container.json'), '{"Id": "' + bad.slice(0, 20)); // torn
  // What an interrupted create leaves (no record, nothing written in the layer): removed, not reported.
  const half = 'f'.repeat(64);
  mkdirSync(join(d.dataRoot, 'containers', half, 'diff'), { recursive: true });
  writeFileSync(join(d.dataRoot, 'containers', half, 'hostname'), 'x\n');
  await d.restart();

  assert.deepEqual(ok(['ps', '-aq', '--no-trunc']).trim().split('\n'), [keep]);
  const kept = join(d.dataRoot, 'containers-quarantine', bad);
  assert.equal(readFileSync(join(kept, 'diff', 'data.txt'), 'utf8'), 'precious\n', 'the writable layer is kept');
  assert.ok(existsSync(join(kept, 'container.json')), 'the record itself is kept');
  assert.ok(!existsSync(join(d.dataRoot, 'containers', half)));
  assert.match(d.log(), /container record unreadable: set aside/);
  const check = d.berth(['system', 'check']);
  assert.equal(check.code, 1);
  assert.match(check.stdout, new RegExp(`^${bad.slice(0, 12)} .*JSON.*${kept}$`, 'm'));
  const api = JSON.parse((await d.api('GET', '/berth/system/check')).body) as { Quarantined: Array<{ ID: string }> };
  assert.deepEqual(api.Quarantined.map((q) => q.ID), [bad]);
  // The name is free again, and the rest works as before.
  ok(['create', '--name', 'bad', 'busybox', 'true']);
  ok(['start', '-a', 'keep']);
  await d.kill9();
  await d.restart();
  assert.equal(JSON.parse((await d.api('GET', '/berth/system/check')).body).Quarantined.length, 1, 'reported once, not again per start-up');
  ok(['rm', 'keep', 'bad']);
});

test('rm (no force) racing start: either removed before it ran, or refused with it running', async () => {
  const outcomes = { removed: 0, refused: 0 };
  for (let i = 0; i < 20; i++) {
    const id = await create();
    // Either may go first; rm sent a little after start arrives while start holds the lock.
    const [startDelay, rmDelay] = i % 3 === 0 ? [10, 0] : [0, (i % 3) * 10];
    const [start, rm] = await Promise.all([
      sleep(startDelay).then(() => d.api('POST', `/containers/${id}/start`)),
      sleep(rmDelay).then(() => d.api('DELETE', `/containers/${id}`)),
    ]);
    if (rm.status === 204) {
      outcomes.removed++;
      assert.equal(start.status === 204 ? 'started' : start.status, 404, `start after removal: ${start.body}`);
      await assertGone(id);
    } else {
      outcomes.refused++;
      assert.equal(rm.status, 409, rm.body);
      assert.match(JSON.parse(rm.body).message, /^You cannot remove a running container/);
      assert.equal(start.status, 204, start.body);
      assert.equal(await running(id), true);
      assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
      await assertGone(id);
    }
  }
  console.log('rm||start outcomes', outcomes);
});

test('prune racing start: a pruned container never starts, a started one is never pruned', async () => {
  for (let i = 0; i < 10; i++) {
    const id = await create();
    const [prune, start] = await Promise.all([d.api('POST', '/containers/prune'), d.api('POST', `/containers/${id}/start`)]);
    assert.equal(prune.status, 200, prune.body);
    const deleted = (JSON.parse(prune.body) as { ContainersDeleted: string[] | null }).ContainersDeleted ?? [];
    if (deleted.includes(id)) {
      assert.equal(start.status, 404, start.body);
      await assertGone(id);
    } else {
      assert.equal(start.status, 204, start.body);
      assert.equal(await running(id), true);
      assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
    }
  }
});

test('a name held by a create in flight is a 404 for lookups and a 409 for another create', async () => {
  for (let i = 0; i < 20; i++) {
    const name = `inflight-${i}`;
    const results = await Promise.all([
      d.api('POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['true'] }),
      d.api('GET', `/containers/${name}/json`),
      d.api('POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['true'] }),
      d.api('DELETE', `/containers/${name}`),
      d.api('GET', `/containers/${name}/json`),
    ]);
    for (const r of results) assert.ok([200, 201, 204, 404, 409].includes(r.status), `${r.status}: ${r.body}`);
    const created = [results[0], results[2]].filter((r) => r.status === 201).length;
    assert.ok(created >= 1, 'one create wins');
    for (const r of [results[0], results[2]]) {
      if (r.status === 409) assert.match(JSON.parse(r.body).message, new RegExp(`^Conflict. The container name "/${name}" is already in use by container`));
    }
    for (const r of [results[1], results[3], results[4]]) {
      if (r.status === 404) assert.equal(JSON.parse(r.body).message, `No such container: ${name}`);
    }
    await d.api('DELETE', `/containers/${name}?force=1`);
  }
});

test('network connect and disconnect racing start and kill keep the record whole', async () => {
  ok(['network', 'create', 'state-net']);
  try {
    for (let i = 0; i < 8; i++) {
      const id = await create();
      const [conn, start] = await Promise.all([
        d.api('POST', '/networks/state-net/connect', { Container: id }),
        d.api('POST', `/containers/${id}/start`),
      ]);
      assert.equal(conn.status, 200, conn.body);
      assert.equal(start.status, 204, start.body);
      const nets = JSON.parse((await d.api('GET', `/containers/${id}/json`)).body).NetworkSettings.Networks as Record<string, { IPAddress: string }>;
      assert.ok(nets['state-net']?.IPAddress, `connected and addressed: ${JSON.stringify(nets)}`);
      const [disc, kill] = await Promise.all([
        d.api('POST', '/networks/state-net/disconnect', { Container: id }),
        d.api('POST', `/containers/${id}/kill`),
      ]);
      assert.equal(disc.status, 200, disc.body);
      assert.equal(kill.status, 204, kill.body);
      const after = JSON.parse((await d.api('GET', `/containers/${id}/json`)).body).NetworkSettings.Networks as Record<string, unknown>;
      assert.equal(after['state-net'], undefined);
      assert.equal((await d.api('DELETE', `/containers/${id}`)).status, 204);
      await assertGone(id);
    }
  } finally {
    d.docker(['network', 'rm', 'state-net']);
  }
});

test('rmi -f and image prune -a racing creates never take the layers of a created container', async () => {
  // busybox stays (a container holds it); the raced image is its own import, with its own layer.
  const holder = ok(['create', 'busybox', 'true']).trim();
  const tarFile = join(d.dataRoot, '..', 'rootfs.tar');
  assert.equal(d.docker(['export', '-o', tarFile, holder]).code, 0);
  const outcomes = { created: 0, imageFirst: 0 };
  for (let i = 0; i < 10; i++) {
    ok(['import', tarFile, 'leased:1']);
    const [c, rmi, prune] = await Promise.all([
      d.api('POST', '/containers/create', { Image: 'leased:1', Cmd: ['/bin/true'] }),
      d.api('DELETE', '/images/leased:1?force=1'),
      d.api('POST', '/images/prune?filters=' + encodeURIComponent('{"dangling":{"false":true}}')),
    ]);
    assert.ok([200, 404, 409].includes(rmi.status), rmi.body);
    assert.equal(prune.status, 200, prune.body);
    if (c.status !== 201) { assert.equal(c.status, 404, c.body); outcomes.imageFirst++; continue; } // the image went first
    outcomes.created++;
    const id = (JSON.parse(c.body) as { Id: string }).Id;
    const run = d.docker(['start', '-a', id]);
    assert.equal(run.code, 0, `the container starts on its layers: ${run.stderr}`);
    ok(['rm', id]);
  }
  console.log('create||rmi -f||prune -a outcomes', outcomes);
  ok(['rm', holder]);
  assert.equal(d.docker(['image', 'inspect', 'busybox']).code, 0, 'busybox is still there');
});
