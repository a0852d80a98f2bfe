// An HTTP proxy in its own process (the docker CLI runs with spawnSync, which blocks the test's own event
// loop) in front of a registry: it can cut blob downloads after N bytes or flip a byte in them, and logs
// every request's method, path and Range header. The mode is read from a file on each request.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = `
import http from 'node:http';
import { readFileSync, appendFileSync } from 'node:fs';
const [target, modeFile, logFile] = process.argv.slice(2);
const [host, port] = target.split(':');
const server = http.createServer((req, res) => {
  const mode = readFileSync(modeFile, 'utf8').trim();
  const isBlob = req.method === 'GET' && /\\/blobs\\/sha256:/.test(req.url ?? '');
  appendFileSync(logFile, JSON.stringify({ method: req.method, path: req.url, range: req.headers.range ?? null }) + '\\n');
  const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: target } }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    if (!isBlob || mode === 'pass') { r.pipe(res); return; }
    const [kind, arg] = mode.split(':');
    let sent = 0;
    r.on('data', (c) => {
      if (kind === 'cut') {
        const left = Number(arg) - sent;
        if (left <= 0) return;
        const part = c.subarray(0, left);
        sent += part.length;
        res.write(part);
        if (sent >= Number(arg)) setTimeout(() => res.socket?.destroy(), 50);
      } else if (kind === 'corrupt') {
        const copy = Buffer.from(c);
        if (sent === 0 && copy.length > 100) copy[100] ^= 0xff;
        sent += copy.length;
        res.write(copy);
      } else { res.write(c); }
    });
    r.on('end', () => { if (kind !== 'cut' || sent < Number(arg)) res.end(); });
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

export interface CuttingProxy { addr: string; setMode(mode: 'pass' | `cut:${number}` | 'corrupt'): void; requests(): Array<{ method: string; path: string; range: string | null }>; stop(): Promise<void> }

export async function startCuttingProxy(dir: string, target: string): Promise<CuttingProxy> {
  const script = join(dir, 'proxy.mjs');
  const modeFile = join(dir, 'proxy-mode');
  const logFile = join(dir, 'proxy-log.jsonl');
  writeFileSync(script, SCRIPT);
  writeFileSync(modeFile, 'pass');
  writeFileSync(logFile, '');
  const child: ChildProcess = spawn(process.execPath, [script, target, modeFile, logFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()));
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}`)));
  });
  return {
    addr: `127.0.0.1:${port}`,
    setMode: (m) => writeFileSync(modeFile, m),
    requests: () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { method: string; path: string; range: string | null }),
    stop: async () => { if (child.exitCode === null) { const gone = new Promise((r) => child.once('exit', r)); child.kill('SIGTERM'); await gone; } },
  };
}
