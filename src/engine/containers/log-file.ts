// conmon's k8s-file container log, one row at a time as strings: `<RFC3339Nano time> <stdout|stderr> <F|P>
// <text>`. P rows are partial lines (no newline follows the text); F rows end a line. The logs/attach hot
// path does not use these: it decodes Buffers in log-decoder.ts and reads files in log-reader.ts.

export interface LogEntry { time: string; timeNano: bigint; stream: 'stdout' | 'stderr'; payload: Buffer }

/** Nanoseconds since the epoch of an RFC 3339 time with up to 9 fraction digits. */
export function rfc3339ToNano(t: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return BigInt(Date.parse(t) || 0) * 1_000_000n;
  const secs = BigInt(Math.floor(Date.parse(m[1] + m[3]) / 1000));
  const frac = BigInt(((m[2] ?? '') + '000000000').slice(0, 9));
  return secs * 1_000_000_000n + frac;
}

/** Docker's log timestamp: RFC 3339 in UTC with nanoseconds. */
export function nanoToRfc3339(n: bigint): string {
  const ms = Number(n / 1_000_000n);
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}.${(n % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

export function parseLogLine(line: string): LogEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const flag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const text = c < 0 ? '' : line.slice(c + 1);
  const time = line.slice(0, a);
  return { time, timeNano: rfc3339ToNano(time), stream, payload: Buffer.from(flag === 'P' ? text : text + '\n') };
}

/** Splits bytes into complete rows, keeping an incomplete tail for the next chunk. */
export class RowSplitter {
  private rest = '';
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const rows = text.split('\n');
    this.rest = rows.pop() ?? '';
    return rows.filter((r) => r.length > 0);
  }
}
