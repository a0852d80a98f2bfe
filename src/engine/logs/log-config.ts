// Container log drivers and options as Docker names them. Every driver writes conmon's k8s-file log
// (attach reads it too); they differ in what `logs` may read and how the file is bounded:
// json-file/k8s-file/local honour max-size and max-file (rotation, log-rotator.ts), `none` keeps only
// a small file for attach and refuses `logs`, as Docker does.
import { invalidArgument } from '../../errors.js';

export const LOG_DRIVERS = ['json-file', 'local', 'k8s-file', 'none'] as const;
export type LogDriver = (typeof LOG_DRIVERS)[number];

export interface LogConfig { Type?: string; Config?: Record<string, string> | null }

export interface LogPolicy {
  driver: LogDriver;
  /** Bytes; undefined: unbounded. */
  maxSize?: number;
  /** Files kept, the live one included (1: truncate in place). */
  maxFile: number;
  /** False for `none`: `docker logs` is refused. */
  readable: boolean;
}

const OPTS: Record<LogDriver, string[]> = {
  'json-file': ['max-size', 'max-file'],
  'k8s-file': ['max-size', 'max-file'],
  local: ['max-size', 'max-file'],
  none: [],
};
/** Docker's local driver is bounded unless told otherwise. */
const LOCAL_DEFAULTS = { 'max-size': '20m', 'max-file': '5' };
/** What `none` keeps so attach still works: one small file. */
const NONE_BOUND = 1024 * 1024;

/** units.RAMInBytes: `10m`, `1g`, `512k`, `100` (binary multiples, as Docker's log options). */
export function parseLogSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(v.trim());
  if (!m) throw invalidArgument(`invalid size: '${v}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/**
 * The container's LogConfig with the daemon's defaults merged in (as Docker fills HostConfig.LogConfig),
 * refusing unknown drivers and options. Returns what inspect shows.
 */
export function normalizeLogConfig(lc: LogConfig | undefined, daemon: { driver: string; opts: Record<string, string> }): { Type: LogDriver; Config: Record<string, string> } {
  const type = lc?.Type || daemon.driver || 'json-file';
  if (!(LOG_DRIVERS as readonly string[]).includes(type)) throw invalidArgument(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  const driver = type as LogDriver;
  const given = lc?.Config ?? {};
  let config: Record<string, string> = { ...given };
  if (Object.keys(given).length === 0) {
    // Docker fills the daemon's log-opts in; `local` has bounded defaults of its own.
    if (driver === 'local') config = { ...LOCAL_DEFAULTS };
    else if (driver !== 'none') config = Object.fromEntries(Object.entries(daemon.opts).filter(([k]) => OPTS[driver].includes(k)));
  }
  for (const k of Object.keys(config)) {
    if (!OPTS[driver].includes(k)) throw invalidArgument(`unknown log opt '${k}' for ${driver} log driver`);
  }
  policyOf({ Type: driver, Config: config }); // checks the values
  return { Type: driver, Config: config };
}

export function policyOf(lc: LogConfig | undefined): LogPolicy {
  const driver = ((LOG_DRIVERS as readonly string[]).includes(lc?.Type ?? '') ? lc!.Type : 'json-file') as LogDriver;
  if (driver === 'none') return { driver, maxSize: NONE_BOUND, maxFile: 1, readable: false };
  const c = lc?.Config ?? {};
  const maxSize = c['max-size'] !== undefined && c['max-size'] !== '-1' ? parseLogSize(c['max-size']) : undefined;
  if (maxSize !== undefined && maxSize <= 0) throw invalidArgument('max-size must be a positive size');
  let maxFile = 1;
  if (c['max-file'] !== undefined) {
    maxFile = Number(c['max-file']);
    if (!Number.isInteger(maxFile)) throw invalidArgument(`invalid value for max-file: ${c['max-file']}`);
    if (maxFile < 1) throw invalidArgument('max-file cannot be less than 1');
    if (maxFile > 1 && maxSize === undefined) throw invalidArgument('max-file can only be used with max-size');
  }
  return { driver, maxSize, maxFile, readable: true };
}
