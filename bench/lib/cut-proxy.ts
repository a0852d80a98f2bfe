// A TCP proxy in front of the bench registry that can be cut (every connection dropped, the port closed)
// once a given number of bytes went through, and reopened on the same port: the "cut at 50 %" of the
// resumed-pull row.
import net from 'node:net';

export interface CutProxy { addr: string; bytes(): number; armCut(atBytes: number): Promise<void>; reopen(): Promise<void>; close(): Promise<void> }

export async function startCutProxy(target: string): Promise<CutProxy> {
  const [host, port] = target.split(':');
  const sockets = new Set<net.Socket>();
  let sent = 0;
  let cutAt = Infinity;
  let onCut: (() => void) | undefined;
  let server: net.Server;
  let open = true;
  const cut = () => {
    open = false;
    for (const s of sockets) s.destroy();
    sockets.clear();
    server.close();
    onCut?.();
    onCut = undefined;
  };
  const make = () => net.createServer((client) => {
    const up = net.connect(Number(port), host);
    sockets.add(client); sockets.add(up);
    const drop = () => { client.destroy(); up.destroy(); sockets.delete(client); sockets.delete(up); };
    client.on('error', drop); up.on('error', drop); client.on('close', drop); up.on('close', drop);
    client.pipe(up);
    up.on('data', (c: Buffer) => {
      sent += c.length;
      if (!client.write(c)) { up.pause(); client.once('drain', () => up.resume()); }
      if (sent >= cutAt) { cutAt = Infinity; cut(); }
    });
  });
  server = make();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const listenPort = (server.address() as net.AddressInfo).port;
  return {
    addr: `127.0.0.1:${listenPort}`,
    bytes: () => sent,
    armCut: (atBytes) => new Promise<void>((resolve) => { sent = 0; cutAt = atBytes; onCut = resolve; }),
    reopen: async () => { cutAt = Infinity; if (open) return; open = true; server = make(); await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', r)); },
    close: async () => { for (const s of sockets) s.destroy(); if (open) { open = false; await new Promise<void>((r) => server.close(() => r())); } },
  };
}
