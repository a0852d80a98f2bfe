// docker's timetypes.GetTimestamp: --since/--until accept unix seconds, RFC 3339 dates, or Go durations
// relative to now ("10m", "1h30m"), all sent to the daemon as "<seconds>.<nanoseconds>".
import { UsageError } from '../flags.js';

const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration, in seconds; undefined when `v` is not a duration. */
export function parseGoDuration(v: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(v);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]];
  return m[1] === '-' ? -total : total;
}

export function getTimestamp(value: string, nowMs: number): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const d = parseGoDuration(value);
  if (d !== undefined) return formatSeconds(nowMs / 1000 - d);
  let t = Date.parse(value);
  if (Number.isNaN(t) && /^\d{4}-\d{2}-\d{2}$/.test(value)) t = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(t)) throw new UsageError(`invalid value for "since": failed to parse value as time or duration: "${value}"`, 1);
  const frac = /\.(\d+)/.exec(value.slice(19))?.[1] ?? '';
  return `${Math.floor(t / 1000)}.${(frac + '000000000').slice(0, 9)}`;
}

function formatSeconds(s: number): string {
  const whole = Math.floor(s);
  const nanos = Math.round((s - whole) * 1e9);
  return `${whole}.${String(Math.min(nanos, 999999999)).padStart(9, '0')}`;
}
