// Prefixed, coloured log lines of several containers at once (`web-1  | hello`), as docker compose prints
// for `up` (attached) and `logs`. Multiplexed frames (8-byte headers) are split here; TTY containers send
// raw bytes.
import type { Readable, Writable } from 'node:stream';
import type { ComposeApi } from './api.js';

const COLOURS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/** Splits Docker's multiplexed stream: [stream, 0, 0, 0, size32be] + payload, repeated. */
export class FrameSplitter {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      out.push(this.buf.subarray(8, 8 + size));
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }
}

export class LogPrinter {
  private width = 0;
  private next = 0;
  private readonly colours = new Map<string, number>();

  constructor(private readonly out: Writable, private readonly opts: { colour: boolean; prefix: boolean }) {}

  register(name: string): void {
    this.width = Math.max(this.width, name.length);
    if (!this.colours.has(name)) this.colours.set(name, COLOURS[this.next++ % COLOURS.length]);
  }

  private prefix(name: string): string {
    if (!this.opts.prefix) return '';
    const p = `${name.padEnd(this.width)}  | `;
    return this.opts.colour ? `\x1b[${this.colours.get(name) ?? 0}m${p}\x1b[0m` : p;
  }

  line(name: string, text: string): void {
    this.out.write(`${this.prefix(name)}${text}\n`);
  }

  /** Copies one container's log stream, line by line, until it ends. */
  async follow(name: string, stream: Readable, tty: boolean): Promise<void> {
    const frames = tty ? undefined : new FrameSplitter();
    let pending = '';
    const emit = (b: Buffer) => {
      pending += b.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.line(name, pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
    };
    try {
      for await (const chunk of stream) {
        if (frames) for (const f of frames.push(chunk as Buffer)) emit(f);
        else emit(chunk as Buffer);
      }
    } catch { /* the daemon closed the stream */ }
    if (pending) this.line(name, pending);
  }
}

/** The name docker compose shows: `<service>-<n>` for its own containers, else the container name. */
export function displayName(project: string, containerName: string): string {
  return containerName.startsWith(`${project}-`) ? containerName.slice(project.length + 1) : containerName;
}

export async function followContainer(api: ComposeApi, printer: LogPrinter, id: string, name: string, o: { follow: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string }): Promise<void> {
  const info = await api.inspect(id);
  const res = await api.logs(id, { follow: o.follow, tail: o.tail, timestamps: o.timestamps, since: o.since, until: o.until });
  const contentType = String(res.headers['content-type'] ?? '');
  const raw = contentType.includes('raw-stream') || (!contentType.includes('multiplexed') && !!info.Config.Tty);
  await printer.follow(name, res, raw);
}
