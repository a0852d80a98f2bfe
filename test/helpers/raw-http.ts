// Raw socket clients for attack tests: send exact bytes, collect what comes back until the server
// closes (or a bound passes), and a reader that parses a response head the way http.client does.
import net from 'node:net';

/** Sends `data` on a fresh connection and returns everything received until close or `waitMs`. */
export function rawExchange(socket: string, data: Buffer | string, waitMs = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    c.on('data', (b: Buffer) => chunks.push(b));
    c.on('close', () => finish(true));
    c.on('error', () => finish(true));
    c.on('connect', () => c.write(data));
  });
}

/** First line's status code of a raw response ("HTTP/1.1 400 ..." → 400), or 0. */
export function statusOf(text: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}
