// Interactive terminals through the real docker CLI, driven by `script` (util-linux) so the CLI has a
// pty: keystrokes typed into `exec -it` and `run -it` shells, the terminal size, exit codes, `attach`
// with the detach keys, and `start -ai`. (Containers run with --network none: not a network test.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { acceptKey, WsDecoder } from '../../src/api/websocket.js';
import { startDaemon, DOCKER, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  ok(['run', '-d', '--network', 'none', '--name', 'tt', 'busybox', 'sleep', '600']);
});
after(async () => { await d?.stop(); });

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/**
 * Runs `docker ARGS` under script(1) in a 30x100 terminal, typing each step's keys after its pause.
 * Returns the screen text (escape sequences removed) and the docker CLI's exit status.
 */
function typeInto(args: string, steps: Array<{ afterMs: number; keys: string }>): { screen: string; code: number } {
  const feed = steps.map((s) => `sleep ${s.afterMs / 1000}; printf '%b' '${s.keys.replace(/'/g, "'\\''")}'`).join('; ');
  const inner = `stty rows 30 cols 100; ${DOCKER} -H ${d.host} ${args}; echo "[exit=$?]"`;
  const r = spawnSync('bash', ['-c', `(${feed}; sleep 2) | script -qec '${inner.replace(/'/g, "'\\''")}' /dev/null`], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  // eslint-disable-next-line no-control-regex
  const screen = (r.stdout ?? '').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
  const m = /\[exit=(\d+)\]/.exec(screen);
  return { screen, code: m ? Number(m[1]) : -1 };
}

test('exec -it: a real terminal of the client\'s size, typed commands, the exit code', () => {
  const r = typeInto('exec -it tt sh', [
    { afterMs: 1500, keys: 'stty size; tty\\r' },
    { afterMs: 800, keys: 'echo typed-$((40+2))\\r' },
    { afterMs: 800, keys: 'exit 4\\r' },
  ]);
  assert.match(r.screen, /30 100/);
  assert.match(r.screen, /\/dev\/pts\/\d+/);
  assert.match(r.screen, /typed-42/);
  assert.equal(r.code, 4, r.screen);
});

test('exec -it: Ctrl-C reaches the process in the container', () => {
  const r = typeInto('exec -it tt sh -c "trap \'echo got-INT; exit 9\' INT; echo ready; while true; do sleep 1; done"', [
    { afterMs: 2000, keys: '\\003' },
  ]);
  assert.match(r.screen, /got-INT/);
  assert.equal(r.code, 9, r.screen);
});

test('run -it: typed input and the exit code', () => {
  const r = typeInto('run -it --rm --network none busybox sh', [
    { afterMs: 2000, keys: 'echo in-run-$((1+1))\\r' },
    { afterMs: 800, keys: 'exit 5\\r' },
  ]);
  assert.match(r.screen, /in-run-2/);
  assert.equal(r.code, 5, r.screen);
});

test('attach to a running tty container, then detach with Ctrl-P Ctrl-Q', () => {
  ok(['run', '-dit', '--network', 'none', '--name', 'att', 'busybox', 'sh']);
  const r = typeInto('attach att', [
    { afterMs: 1500, keys: 'echo attached-$((3+4))\\r' },
    { afterMs: 800, keys: '\\020\\021' },
  ]);
  assert.match(r.screen, /attached-7/);
  assert.match(r.screen, /read escape sequence/);
  assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'att']).trim(), 'true');
});

test('start -ai attaches to a created interactive container', () => {
  ok(['create', '-it', '--network', 'none', '--name', 'sai', 'busybox', 'sh', '-c', 'read x; echo got-$x; exit 6']);
  const r = typeInto('start -ai sai', [{ afterMs: 1500, keys: 'hello\\r' }]);
  assert.match(r.screen, /got-hello/);
  assert.equal(r.code, 6, r.screen);
});

/** A raw hijacked attach (as API clients such as docker-py do), collecting what the daemon sends. */
function rawAttach(id: string, query: string): Promise<{ sock: net.Socket; seen: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(d.socket);
    let text = '';
    const ended = new Promise<void>((r) => { sock.on('end', r); sock.on('close', () => r()); });
    sock.on('error', reject);
    sock.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (text.includes('\r\n\r\n') && text.startsWith('HTTP/1.1 101')) resolve({ sock, seen: () => text, ended });
    });
    sock.write(`POST /v1.50/containers/${id}/attach?${query} HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`);
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(check(), what);
}

test('several clients attached at once; the server honours the detach keys of API clients', async () => {
  ok(['run', '-dit', '--network', 'none', '--name', 'multi', 'busybox', 'sh']);
  const a = await rawAttach('multi', 'stream=1&stdin=1&stdout=1&stderr=1');
  const b = await rawAttach('multi', 'stream=1&stdout=1&stderr=1');
  a.sock.write('echo from-a-$((20+1))\r');
  await until(() => a.seen().includes('from-a-21') && b.seen().includes('from-a-21'), 'both clients see the output');
  a.sock.write(Buffer.from([16, 17]));
  let detached = false;
  await Promise.race([a.ended.then(() => { detached = true; }), new Promise((r) => setTimeout(r, 10_000))]);
  assert.ok(detached, 'the daemon ends the session on ctrl-p ctrl-q');
  b.sock.destroy();
  assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'multi']).trim(), 'true');
});

/** A client frame: binary, masked, as RFC 6455 requires of clients. */
function maskedFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
  return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, body]);
}

test('attach/ws: stdin in websocket frames, output back in binary frames', async () => {
  ok(['run', '-di', '--network', 'none', '--name', 'wsc', 'busybox', 'cat']);
  const key = randomBytes(16).toString('base64');
  const sock = net.connect(d.socket);
  let head = '';
  let upgraded = false;
  let echoed = '';
  const decoder = new WsDecoder();
  sock.on('data', (c: Buffer) => {
    if (!upgraded) {
      head += c.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      assert.match(head, /^HTTP\/1.1 101/);
      assert.ok(head.includes(`Sec-WebSocket-Accept: ${acceptKey(key)}`));
      c = Buffer.from(head.slice(end + 4), 'latin1');
    }
    for (const m of decoder.push(c)) if (m.opcode === 2 || m.opcode === 1) echoed += m.payload.toString();
  });
  sock.write(`GET /v1.50/containers/wsc/attach/ws?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`);
  await until(() => upgraded, 'the daemon switches protocols');
  sock.write(maskedFrame(Buffer.from('over-websocket\n')));
  await until(() => echoed.includes('over-websocket'), `cat echoes what the websocket sent (got ${JSON.stringify(echoed)})`);
  sock.destroy();
});
