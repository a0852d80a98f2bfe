// docker/go-units: HumanSize (decimal, %.Ng), BytesSize (binary) and HumanDuration, with Go's %g
// formatting rules reproduced (trailing zeros dropped, exponent form past the precision).

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Go's `%.<precision>g`. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(value)));
  let s = value.toPrecision(precision);
  const rounded = Number(s);
  const realExp = rounded === 0 ? exp : Math.floor(Math.log10(Math.abs(rounded)));
  if (realExp < -4 || realExp >= precision) {
    const [mant, e] = value.toExponential(precision - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  if (s.includes('e')) s = rounded.toString();
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function customSize(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) { size /= base; i++; }
  return `${formatG(size, precision)}${units[i]}`;
}

/** units.HumanSizeWithPrecision: `4.26MB` at precision 3 (docker images), `4.257MB` at 4 (HumanSize). */
export function humanSize(bytes: number, precision = 4): string {
  return customSize(bytes, 1000, decimalUnits, precision);
}

/** units.BytesSize: `1.5GiB`. */
export function bytesSize(bytes: number): string {
  return customSize(bytes, 1024, binaryUnits, 4);
}

export { humanDuration } from '../../util/human-duration.js';

/** RAMInBytes-style parsing for --memory / --shm-size: `512m`, `1g`, `1024` (binary multiples). */
export function parseMemory(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(v.trim());
  if (!m) throw new Error(`invalid size: '${v}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2].toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** Go's time.Duration.String() for whole seconds (progress "time left"). */
export function goDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}
