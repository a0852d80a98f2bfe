// `run`/`create` flags for health checks, limits, the sandbox and logging (docker's names and
// parsing), and berth's own --health-on-failure; they fill the create body's Config/HostConfig.
import { readFileSync } from 'node:fs';
import type { FlagSpec, ParsedFlags } from '../flags.js';
import { UsageError } from '../flags.js';
import type { ContainerCreateBody } from '../../client/types.js';
import { parseMemory } from '../format/units.js';
import { keyValueMap } from './key-values.js';

export const supervisionFlags: FlagSpec[] = [
  { long: 'health-cmd', kind: 'string', help: 'Command to run to check health' },
  { long: 'health-interval', kind: 'string', valueName: 'duration', help: 'Time between running the check (ms|s|m|h) (default 0s)' },
  { long: 'health-timeout', kind: 'string', valueName: 'duration', help: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' },
  { long: 'health-retries', kind: 'int', help: 'Consecutive failures needed to report unhealthy' },
  { long: 'health-start-period', kind: 'string', valueName: 'duration', help: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  { long: 'health-start-interval', kind: 'string', valueName: 'duration', help: 'Time between running the check during the start period (ms|s|m|h) (default 0s)' },
  { long: 'no-healthcheck', kind: 'bool', help: 'Disable any container-specified HEALTHCHECK' },
  { long: 'health-on-failure', kind: 'string', help: 'Berth: restart, stop or kill the container when it turns unhealthy (label berth.health.on-failure)' },
  { long: 'memory-swap', kind: 'string', valueName: 'bytes', help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { long: 'memory-reservation', kind: 'string', valueName: 'bytes', help: 'Memory soft limit' },
  { long: 'memory-swappiness', kind: 'int', help: 'Tune container memory swappiness (0 to 100) (default -1)' },
  { long: 'oom-kill-disable', kind: 'bool', help: 'Disable OOM Killer' },
  { long: 'oom-score-adj', kind: 'int', help: "Tune host's OOM preferences (-1000 to 1000)" },
  { long: 'cpu-shares', short: 'c', kind: 'int', help: 'CPU shares (relative weight)' },
  { long: 'cpu-period', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { long: 'cpu-quota', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { long: 'cpuset-cpus', kind: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { long: 'cpuset-mems', kind: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
  { long: 'blkio-weight', kind: 'int', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
  { long: 'device', kind: 'list', help: 'Add a host device to the container' },
  { long: 'device-cgroup-rule', kind: 'list', help: 'Add a rule to the cgroup allowed devices list' },
  { long: 'group-add', kind: 'list', help: 'Add additional groups to join' },
  { long: 'pid', kind: 'string', help: 'PID namespace to use' },
  { long: 'ipc', kind: 'string', help: 'IPC mode to use' },
  { long: 'userns', kind: 'string', help: 'User namespace to use' },
  { long: 'uts', kind: 'string', help: 'UTS namespace to use' },
  { long: 'sysctl', kind: 'list', help: 'Sysctl options' },
  { long: 'log-driver', kind: 'string', help: 'Logging driver for the container' },
  { long: 'log-opt', kind: 'list', help: 'Log driver options' },
];

/** Go's time.ParseDuration, to nanoseconds. */
export function parseGoDuration(v: string, flag: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (v === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0; let m: RegExpExecArray | null; let pos = 0;
  while ((m = re.exec(v))) { total += Number(m[1]) * units[m[2]]; pos = re.lastIndex; }
  if (pos !== v.length || !v) throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: time: invalid duration "${v}"`);
  return Math.round(total);
}

function healthcheck(flags: ParsedFlags): Record<string, unknown> | undefined {
  const dur = (name: string) => (flags.has(name) ? parseGoDuration(flags.string(name)!, name) : 0);
  const anyTiming = ['health-interval', 'health-timeout', 'health-start-period', 'health-start-interval', 'health-retries'].some((f) => flags.has(f));
  if (flags.bool('no-healthcheck')) {
    if (flags.has('health-cmd') || anyTiming) throw new UsageError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!flags.has('health-cmd') && !anyTiming) return undefined;
  const retries = flags.int('health-retries') ?? 0;
  if (retries < 0) throw new UsageError('--health-retries cannot be negative');
  return {
    ...(flags.has('health-cmd') ? { Test: ['CMD-SHELL', flags.string('health-cmd')!] } : {}),
    Interval: dur('health-interval'), Timeout: dur('health-timeout'), StartPeriod: dur('health-start-period'),
    StartInterval: dur('health-start-interval'), Retries: retries,
  };
}

/** `--device /dev/x[:/dev/y][:rwm]`. */
function device(v: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = v.split(':');
  let perms = 'rwm';
  if (parts.length > 1 && /^[rwm]{1,3}$/.test(parts[parts.length - 1])) perms = parts.pop()!;
  if (parts.length > 2 || !parts[0]) throw new UsageError(`invalid argument "${v}" for "--device" flag: bad format for path: ${v}`);
  return { PathOnHost: parts[0], PathInContainer: parts[1] ?? parts[0], CgroupPermissions: perms };
}

/** The docker CLI sends a seccomp profile's JSON, not its path. */
function securityOpt(v: string): string {
  const m = /^seccomp[=:](.+)$/.exec(v);
  if (!m || m[1] === 'unconfined' || m[1] === 'builtin') return v;
  try { return `seccomp=${JSON.stringify(JSON.parse(readFileSync(m[1], 'utf8')))}`; } catch (err) {
    throw new UsageError(`opening seccomp profile (${m[1]}) failed: ${(err as Error).message}`);
  }
}

function bytes(flags: ParsedFlags, name: string): number | undefined {
  const v = flags.string(name);
  if (v === undefined) return undefined;
  if (v === '-1') return -1;
  try { return parseMemory(v); } catch { throw new UsageError(`invalid argument "${v}" for "--${name}" flag: invalid size: '${v}'`); }
}

export function applySupervisionFlags(flags: ParsedFlags, body: ContainerCreateBody): void {
  const hc = body.HostConfig as Record<string, unknown>;
  const hcheck = healthcheck(flags);
  if (hcheck) (body as unknown as Record<string, unknown>).Healthcheck = hcheck;
  const onFailure = flags.string('health-on-failure');
  if (onFailure !== undefined) {
    if (!['none', 'restart', 'stop', 'kill'].includes(onFailure)) throw new UsageError(`invalid argument "${onFailure}" for "--health-on-failure" flag: expected none, restart, stop or kill`);
    body.Labels = { ...(body.Labels ?? {}), 'berth.health.on-failure': onFailure };
  }
  const set = (k: string, v: unknown) => { if (v !== undefined) hc[k] = v; };
  set('MemorySwap', bytes(flags, 'memory-swap'));
  set('MemoryReservation', bytes(flags, 'memory-reservation'));
  set('MemorySwappiness', flags.int('memory-swappiness'));
  if (flags.has('oom-kill-disable')) hc.OomKillDisable = flags.bool('oom-kill-disable');
  set('OomScoreAdj', flags.int('oom-score-adj'));
  set('CpuShares', flags.int('cpu-shares'));
  set('CpuPeriod', flags.int('cpu-period'));
  set('CpuQuota', flags.int('cpu-quota'));
  set('CpusetCpus', flags.string('cpuset-cpus'));
  set('CpusetMems', flags.string('cpuset-mems'));
  set('BlkioWeight', flags.int('blkio-weight'));
  if (flags.has('device')) hc.Devices = flags.list('device').map(device);
  if (flags.has('device-cgroup-rule')) hc.DeviceCgroupRules = flags.list('device-cgroup-rule');
  if (flags.has('group-add')) hc.GroupAdd = flags.list('group-add');
  set('PidMode', flags.string('pid'));
  set('IpcMode', flags.string('ipc'));
  set('UTSMode', flags.string('uts'));
  set('UsernsMode', flags.string('userns'));
  if (flags.has('sysctl')) hc.Sysctls = keyValueMap(flags.list('sysctl'));
  if (flags.has('log-driver') || flags.has('log-opt')) hc.LogConfig = { Type: flags.string('log-driver') ?? '', Config: keyValueMap(flags.list('log-opt')) };
  if (Array.isArray(hc.SecurityOpt)) hc.SecurityOpt = (hc.SecurityOpt as string[]).map(securityOpt);
}
