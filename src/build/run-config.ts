// The image run config as Docker's classic builder carries it from step to step, and the texts Docker
// writes into history (`created_by`): Go's %q and %v renderings, Go durations, the `#(nop)` comment forms.
import type { ImageRunConfig } from '../model/image.js';
import { invalidArgument } from '../errors.js';

/** Docker's container.Config as the builder writes it into images (every field, in Docker's order). */
export interface RunConfig extends ImageRunConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Image?: string;
}

export interface HealthConfig { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number }

export const DEFAULT_SHELL = ['/bin/sh', '-c'];
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A full copy in Docker's field order, so image configs read like Docker's. */
export function normalizeConfig(c: ImageRunConfig | undefined): RunConfig {
  const src = (c ?? {}) as RunConfig;
  const out: RunConfig = {
    Hostname: src.Hostname ?? '', Domainname: src.Domainname ?? '', User: src.User ?? '',
    AttachStdin: false, AttachStdout: false, AttachStderr: false,
    ...(src.ExposedPorts && Object.keys(src.ExposedPorts).length ? { ExposedPorts: { ...src.ExposedPorts } } : {}),
    Tty: false, OpenStdin: false, StdinOnce: false,
    Env: src.Env ? [...src.Env] : null as unknown as string[],
    Cmd: src.Cmd ? [...src.Cmd] : null,
    ...(src.Healthcheck ? { Healthcheck: src.Healthcheck } : {}),
    ...(src.ArgsEscaped ? { ArgsEscaped: true } : {}),
    Image: src.Image ?? '',
    Volumes: src.Volumes && Object.keys(src.Volumes).length ? { ...src.Volumes } : null,
    WorkingDir: src.WorkingDir ?? '',
    Entrypoint: src.Entrypoint ? [...src.Entrypoint] : null,
    OnBuild: src.OnBuild && src.OnBuild.length ? [...src.OnBuild] : null,
    Labels: src.Labels && Object.keys(src.Labels).length ? { ...src.Labels } : null,
    ...(src.StopSignal ? { StopSignal: src.StopSignal } : {}),
    ...(src.Shell && src.Shell.length ? { Shell: [...src.Shell] } : {}),
  };
  return out;
}

export function cloneConfig(c: RunConfig): RunConfig {
  return JSON.parse(JSON.stringify(c)) as RunConfig;
}

export function shellOf(c: RunConfig): string[] {
  return c.Shell && c.Shell.length ? c.Shell : DEFAULT_SHELL;
}

/** Go's strconv.Quote, close enough for history text (JSON escapes with Go's \x form for control bytes). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1').replace(/\\u([0-9a-f]{4})/g, '\\u$1');
}

/** Go's %q of a []string: `["a" "b"]`. */
export function goQuoteList(list: string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** Go's %v of a []string: `[a b]`. */
export function goList(list: string[]): string {
  return `[${list.join(' ')}]`;
}

/** Go's %q of a small integer (a rune literal), as Docker's HEALTHCHECK history shows Retries. */
function goRune(n: number): string {
  if (n === 0) return "'\\x00'";
  if (n >= 0x20 && n < 0x7f) return n === 0x27 ? "'\\''" : n === 0x5c ? "'\\\\'" : `'${String.fromCharCode(n)}'`;
  if (n < 0x20) {
    const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
    return named[n] ? `'\\${named[n]}'` : `'\\x${n.toString(16).padStart(2, '0')}'`;
  }
  return `'${String.fromCodePoint(n)}'`;
}

const UNITS: Array<[string, number]> = [['ns', 1], ['us', 1e3], ['µs', 1e3], ['μs', 1e3], ['ms', 1e6], ['s', 1e9], ['m', 60e9], ['h', 3600e9]];

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(s: string, what: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < s.length && (m = re.exec(s))) {
    total += Number(m[1]) * UNITS.find(([u]) => u === m![2])![1];
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) throw invalidArgument(`time: invalid duration "${s}" for ${what}`);
  return Math.round(total);
}

/** Go's Duration.String(). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1e9) {
    if (ns < 1e3) return `${ns}ns`;
    if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
    return `${trim(ns / 1e6)}ms`;
  }
  let secs = ns / 1e9;
  const h = Math.floor(secs / 3600); secs -= h * 3600;
  const m = Math.floor(secs / 60); secs -= m * 60;
  const sec = `${trim(Math.round(secs * 1e9) / 1e9)}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

/** Docker's `HEALTHCHECK %q` of a HealthConfig pointer (20.10: Test, Interval, Timeout, StartPeriod, Retries). */
export function healthText(h: HealthConfig): string {
  return `&{${goQuoteList(h.Test)} ${goQuote(goDuration(h.Interval ?? 0))} ${goQuote(goDuration(h.Timeout ?? 0))} ${goQuote(goDuration(h.StartPeriod ?? 0))} ${goRune(h.Retries ?? 0)}}`;
}

/** The Cmd Docker records for a metadata step: `[shell..., "#(nop) ", text]`. */
export function nopCmd(c: RunConfig, text: string): string[] {
  return [...shellOf(c), '#(nop) ', text];
}

/** The single-string form (WORKDIR, COPY, ADD): `[shell..., "#(nop) text"]`. */
export function nopCmdString(c: RunConfig, text: string): string[] {
  return [...shellOf(c), `#(nop) ${text}`];
}

export function envKey(kv: string): string {
  const i = kv.indexOf('=');
  return i < 0 ? kv : kv.slice(0, i);
}

export function setEnv(c: RunConfig, key: string, value: string): void {
  const env = [...(c.Env ?? [])];
  const i = env.findIndex((e) => envKey(e) === key);
  if (i >= 0) env[i] = `${key}=${value}`; else env.push(`${key}=${value}`);
  c.Env = env;
}

export function envMap(c: RunConfig): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of c.Env ?? []) {
    const i = kv.indexOf('=');
    m.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
  }
  return m;
}

/** The cache identity of a step's config (Docker compares every field but Image and Hostname). */
export function cacheKeyOf(c: RunConfig): string {
  const { Image: _i, Hostname: _h, Domainname: _d, ...rest } = c;
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, norm((v as Record<string, unknown>)[k])]));
    return v;
  };
  const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined && v !== '' && v !== false
    && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)));
  return JSON.stringify(norm(clean));
}
