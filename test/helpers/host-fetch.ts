// One HTTP/1.0 GET to a port published on 127.0.0.1: what the host sees of a container's `-p`.
// Resolves with whatever arrived (empty when nothing answers within 5 s); never rejects.
import net from 'node:net';

export function hostFetch(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let out = '';
    const timer = setTimeout(() => { s.destroy(); resolve(out); }, 5000);
    s.on('connect', () => s.write('GET / HTTP/1.0\r\n\r\n'));
    s.on('data', (b) => { out += b.toString(); });
    s.on('error', () => { clearTimeout(timer); resolve(out); });
    s.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}
