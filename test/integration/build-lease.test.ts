// A build holds its base images (FROM and COPY --from) for as long as it runs: `rmi -f` of a base while a
// RUN step is going is refused with a 409, and the build finishes on the base's layers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER, startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let ctx: string;
before(async () => {
  d = await startDaemon();
  ctx = mkdtempSync(join(tmpdir(), 'berth-build-lease-'));
});
after(async () => {
  await d?.stop();
  rmSync(ctx, { recursive: true, force: true });
});

function ok(args: string[]): string {
  const r = d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Builds `dockerfile` as `tag`; while its RUN step runs, `rmi -f` of `base` by name and by ID. */
async function buildWhileRemoving(dockerfile: string, tag: string, base: string): Promise<string> {
  const id = ok(['image', 'inspect', '-f', '{{.Id}}', base]).trim();
  writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
  const build = spawn(DOCKER, ['build', '-t', tag, ctx], { env: { ...process.env, DOCKER_HOST: d.host, DOCKER_BUILDKIT: '0' } });
  let out = '';
  build.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  const done = new Promise<number>((res) => build.on('close', (code) => res(code ?? -1)));
  // Wait (bounded) for the RUN step's container to be running.
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`build never reached RUN: ${out}`)), 60_000);
    build.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (/Running in/.test(out)) { clearTimeout(timer); res(); }
    });
  });
  // As with an image a running container uses: by name only the tag goes, the image stays; by ID, 409.
  const byName = await d.api('DELETE', `/images/${base}?force=1`);
  assert.equal(byName.status, 200, byName.body);
  assert.deepEqual(JSON.parse(byName.body), [{ Untagged: base }]);
  const byId = await d.api('DELETE', `/images/${id}?force=1`);
  assert.equal(byId.status, 409, `${base}: ${byId.body}`);
  assert.match(JSON.parse(byId.body).message, /cannot be forced.*being used by an operation in progress/);
  assert.equal(await done, 0, out);
  return id;
}

test('rmi -f of a FROM or COPY --from image during a build is refused, and the build succeeds on it', async () => {
  // Own images (imports of busybox's files), so removing them touches nothing other tests use.
  const holder = ok(['create', 'busybox', 'true']).trim();
  const tarFile = join(ctx, 'rootfs.tar');
  ok(['export', '-o', tarFile, holder]);
  ok(['rm', holder]);
  ok(['import', tarFile, 'lease-base:1']);
  ok(['import', '-c', 'ENV COPY_SOURCE=1', tarFile, 'lease-copy:1']); // a distinct image, not a second tag

  // RUN first: no child image holds the base yet, only the build's lease.
  const baseId = await buildWhileRemoving('FROM lease-base:1\nRUN sleep 3\n', 'lease-built:1', 'lease-base:1');
  assert.equal(ok(['run', '--rm', 'lease-built:1', 'echo', 'ran']), 'ran\n');
  const copyId = await buildWhileRemoving('FROM busybox\nCOPY --from=lease-copy:1 /etc/group /copied\nRUN sleep 3\n', 'lease-built:2', 'lease-copy:1');
  assert.equal(ok(['run', '--rm', 'lease-built:2', 'sh', '-c', 'test -s /copied && echo ran']), 'ran\n');

  // Released at the end: the bases go once nothing built on them is left.
  ok(['rmi', 'lease-built:1', 'lease-built:2']);
  ok(['rmi', baseId, copyId]);
  for (const id of [baseId, copyId]) assert.notEqual(d.docker(['image', 'inspect', id]).code, 0, `${id} is gone`);
});
