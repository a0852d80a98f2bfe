// Testcontainers for Node (11.x: 12 needs Node 22) against a real berthd: GenericContainer.fromDockerfile builds
// through POST /build, start with a log wait and an HTTP wait on a mapped port, exec, logs, stop.
// Ryuk (its reaper) is disabled: its image is on Docker Hub, which tests cannot reach; the test removes
// what it started itself.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

describe('testcontainers-node against berthd', () => {
  let d: TestDaemon;
  const work = mkdtempSync(join(tmpdir(), 'berth-tc-'));
  type TC = typeof import('testcontainers');
  let tc: TC;

  before(async () => {
    d = await startDaemon();
    process.env.DOCKER_HOST = d.host;
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1'; // mapped ports on loopback only
    tc = await import('testcontainers');
  });
  after(async () => {
    await d?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('fromDockerfile builds; start waits for a log line and for HTTP; exec and logs; stop removes it', async () => {
    writeFileSync(join(work, 'Dockerfile'), [
      'FROM busybox:latest',
      'RUN mkdir /www && echo hello-from-berth > /www/index.html',
      'EXPOSE 8080',
      'CMD ["sh", "-c", "echo serving; httpd -f -p 8080 -h /www"]',
      '',
    ].join('\n'));
    const image = await tc.GenericContainer.fromDockerfile(work).build('berth-tc-web:1', { deleteOnExit: false });
    const container = await image
      .withExposedPorts(8080)
      .withWaitStrategy(tc.Wait.forAll([tc.Wait.forLogMessage('serving'), tc.Wait.forHttp('/index.html', 8080).forStatusCode(200)]))
      .withStartupTimeout(60_000)
      .start();
    try {
      const port = container.getMappedPort(8080);
      assert.ok(port > 0);
      const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(10_000) });
      assert.equal((await res.text()).trim(), 'hello-from-berth');

      const r = await container.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.exitCode, 3);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\n');

      const logs = await container.logs();
      const text = await new Promise<string>((resolve) => {
        let t = '';
        logs.on('data', (c: Buffer | string) => { t += c.toString(); if (t.includes('serving')) resolve(t); });
        logs.on('end', () => resolve(t));
      });
      assert.match(text, /serving/);
      logs.destroy?.();
    } finally {
      await container.stop({ timeout: 2_000 });
    }
    const left = d.docker(['ps', '-aq']);
    assert.equal(left.stdout.trim(), '', 'stop removes the container');
  });
});
