// Hijacked streams (exec start, attach, attach/ws) as real clients read them: the 101 head with Docker's
// header set arrives alone, before any output, so a client that parses it with a buffered reader (as
// Python's http.client does for docker-py) and then switches to the raw socket loses nothing; the
// request's own body never reaches stdin; Content-Type follows the API version as in Docker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { FrameDecoder } from '../../src/model/stream-frame.js';

let d: TestDaemon;
let cid = '';
before(async () => {
  d = await startDaemon();
  const r = d.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600']);
  assert.equal(r.code, 0, r.stderr);
  cid = r.stdout.trim();
});
after(async () => { await d?.stop(); });

/**
 * Sends one request and reads like http.client + docker-py: one recv of up to 8192 bytes must hold the
 * head; bytes after the head in that same read are what docker-py would lose. Then reads the raw
 * socket to the end.
 */
function hijackLikeDockerPy(request: string, body = ''): Promise<{ head: string; lostWithHead: number; stream: Buffer }> {
  return new Promise((resolve, reject) => {
    const c = net.connect(d.socket);
    let first: Buffer | undefined;
    const rest: Buffer[] = [];
    const timer = setTimeout(() => { c.destroy(); reject(new Error('no end of stream in 30 s')); }, 30_000);
    c.on('data', (b: Buffer) => { if (!first) first = b; else rest.push(b); });
    c.on('error', reject);
    c.on('close', () => {
      clearTimeout(timer);
      const all = first ?? Buffer.alloc(0);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) { reject(new Error(`no head in the first read: ${all.toString()}`)); return; }
      resolve({ head: all.subarray(0, end).toString(), lostWithHead: all.length - end - 4, stream: Buffer.concat(rest) });
    });
    c.on('connect', () => c.write(request + body));
  });
}

async function execCreate(cmd: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const r = await d.api('POST', `/containers/${cid}/exec`, { Cmd: cmd, AttachStdout: true, AttachStderr: true, ...extra });
  assert.equal(r.status, 201, r.body);
  return (JSON.parse(r.body) as { Id: string }).Id;
}

function execStartRequest(id: string, version: string, body: string): string {
  return `POST /v${version}/exec/${id}/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
}

test('exec start: the 101 arrives alone and every byte of output follows it (30 runs)', async () => {
  for (let i = 0; i < 30; i++) {
    const id = await execCreate(['echo', `run-${i}`]);
    const body = '{"Detach":false,"Tty":false}';
    const r = await hijackLikeDockerPy(execStartRequest(id, '1.41', body), body);
    assert.equal(r.lostWithHead, 0, `run ${i}: output shared the packet with the 101 head`);
    const frames = new FrameDecoder().push(r.stream);
    assert.equal(Buffer.concat(frames.map((f) => f.payload)).toString(), `run-${i}\n`, `run ${i}`);
    if (i === 0) {
      assert.deepEqual(r.head.split('\r\n'), [
        'HTTP/1.1 101 UPGRADED', 'Content-Type: application/vnd.docker.raw-stream', 'Connection: Upgrade', 'Upgrade: tcp',
        'Api-Version: 1.50', 'Docker-Experimental: false', 'Ostype: linux', 'Server: Berth/0.1.0 (linux)',
      ]);
    }
  }
});

test('Content-Type by API version: raw-stream before 1.42, multiplexed/raw by TTY after (exec, attach, logs)', async () => {
  const id = await execCreate(['true']);
  const body = '{}';
  const modern = await hijackLikeDockerPy(execStartRequest(id, '1.44', body), body);
  assert.match(modern.head, /Content-Type: application\/vnd\.docker\.multiplexed-stream/);
  const ttyId = await execCreate(['true'], { Tty: true });
  const ttyStart = await hijackLikeDockerPy(execStartRequest(ttyId, '1.44', body), body);
  assert.match(ttyStart.head, /Content-Type: application\/vnd\.docker\.raw-stream/);
  const old = await d.api('GET', `/v1.41/containers/${cid}/logs?stdout=1`);
  assert.equal(old.headers['content-type'], 'application/vnd.docker.raw-stream');
  const now = await d.api('GET', `/v1.44/containers/${cid}/logs?stdout=1`);
  assert.equal(now.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
});

test('attach with stdin: the request body (as dockerode sends it) is not fed to the container', async () => {
  const r = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'head -c 1001 | tr -d a | wc -c'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, HostConfig: { NetworkMode: 'none' } });
  assert.equal(r.status, 201, r.body);
  const id = (JSON.parse(r.body) as { Id: string }).Id;
  const opts = JSON.stringify({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true, padding: 'x'.repeat(50) });
  const out = await new Promise<string>((resolve, reject) => {
    const c = net.connect(d.socket);
    const chunks: Buffer[] = [];
    let upgraded = false;
    const timer = setTimeout(() => { c.destroy(); reject(new Error('attach did not end in 30 s')); }, 30_000);
    c.on('data', async (b: Buffer) => {
      chunks.push(b);
      if (!upgraded && Buffer.concat(chunks).includes('\r\n\r\n')) {
        upgraded = true;
        const start = await d.api('POST', `/containers/${id}/start`);
        assert.equal(start.status, 204, start.body);
        c.write(Buffer.alloc(1001, 'a'));
      }
    });
    c.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')); });
    c.on('error', reject);
    c.write(`POST /containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${opts.length}\r\n\r\n${opts}`);
  });
  const body = out.slice(out.indexOf('\r\n\r\n') + 4);
  const frames = new FrameDecoder().push(Buffer.from(body, 'latin1'));
  // The first 1001 bytes of stdin are exactly the 1001 'a's the client wrote after the upgrade.
  assert.equal(Buffer.concat(frames.map((f) => f.payload)).toString().trim(), '0');
  await d.api('DELETE', `/containers/${id}?force=1`);
});

test('attach/ws: a frame over the limit closes the socket with 1009; berthd lives on', async () => {
  const r = d.docker(['run', '-d', '-i', '--network', 'none', 'busybox', 'cat']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const got = await new Promise<Buffer>((resolve) => {
    const c = net.connect(d.socket);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => c.destroy(), 10_000);
    c.on('data', (b: Buffer) => {
      chunks.push(b);
      if (chunks.length === 1) {
        const head = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4]); // masked, 256 MiB announced
        c.write(head);
      }
    });
    c.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)); });
    c.on('error', () => undefined);
    c.write(`GET /containers/${id}/attach/ws?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
  assert.match(got.toString('latin1'), /101 Switching Protocols/);
  assert.ok(got.includes(Buffer.from([0x88, 0x02, 0x03, 0xf1])), 'close frame 1009');
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  d.docker(['rm', '-f', id]);
});

test('docker-py exec_run: output and demux never lost (30 runs)', (t) => {
  const probe = spawnSync('python3', ['-c', 'import docker'], { encoding: 'utf8' });
  if (probe.status !== 0) { t.skip(`python3-docker is not installed: ${probe.stderr.trim()}`); return; }
  const script = `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1], version="1.41").containers.get(sys.argv[2])
bad = 0
for i in range(30):
    code, out = c.exec_run("whoami")
    if out != b"root\\n": bad += 1; print("plain", i, repr(out))
    code, (o, e) = c.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
    if o != b"out\\n" or e != b"err\\n": bad += 1; print("demux", i, repr(o), repr(e))
print("bad", bad)
`;
  const r = spawnSync('python3', ['-c', script, `unix://${d.socket}`, cid], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^bad 0$/m, r.stdout);
});
