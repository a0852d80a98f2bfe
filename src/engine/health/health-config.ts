// Docker's HEALTHCHECK settings: which probe to run, and the timings with Docker's defaults
// (daemon/health.go). Pure; the monitor (health-monitor.ts) runs what this describes.
import { invalidArgument } from '../../errors.js';

/** Docker's Config.Healthcheck (durations in nanoseconds). */
export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

import type { HealthResult, HealthState } from '../../model/container.js';
export type { HealthResult, HealthState, HealthStatus } from '../../model/container.js';

export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;
const SECOND = 1000;

export interface Probe {
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

const ms = (ns: number | undefined, dflt: number): number => (ns && ns > 0 ? ns / 1e6 : dflt);

/** The probe of a container, or undefined when it has none (no Test, or `NONE`). */
export function probeOf(hc: HealthConfig | undefined, shell: string[] | undefined): Probe | undefined {
  const test = hc?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return undefined;
  let argv: string[];
  if (test[0] === 'CMD') argv = test.slice(1);
  else if (test[0] === 'CMD-SHELL') argv = [...(shell?.length ? shell : ['/bin/sh', '-c']), test.slice(1).join(' ')];
  else return undefined;
  if (argv.length === 0) return undefined;
  return {
    argv,
    intervalMs: ms(hc?.Interval, 30 * SECOND),
    timeoutMs: ms(hc?.Timeout, 30 * SECOND),
    startPeriodMs: ms(hc?.StartPeriod, 0),
    startIntervalMs: ms(hc?.StartInterval, 5 * SECOND),
    retries: hc?.Retries && hc.Retries > 0 ? hc.Retries : 3,
  };
}

/** Docker's create-time checks (daemon/container.go validateHealthCheck). */
export function validateHealthConfig(hc: HealthConfig | undefined): void {
  if (!hc) return;
  const durations: Array<[string, number | undefined]> = [
    ['Interval', hc.Interval], ['Timeout', hc.Timeout], ['StartPeriod', hc.StartPeriod], ['StartInterval', hc.StartInterval],
  ];
  for (const [name, v] of durations) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidArgument(`${name} in Healthcheck must be a duration in nanoseconds`);
    if (v !== 0 && v < 1e6) throw invalidArgument(`${name} in Healthcheck cannot be less than 1ms`);
  }
  if (hc.Retries !== undefined && hc.Retries !== null && hc.Retries < 0) throw invalidArgument('Retries in Healthcheck cannot be negative');
  const t = hc.Test;
  if (t && t.length && !['NONE', 'CMD', 'CMD-SHELL'].includes(t[0])) throw invalidArgument(`unknown Healthcheck type '${t[0]}'`);
}

/** Go's time.Duration text (1m30s, 500ms), as Docker's timeout message prints it. */
export function goDuration(msTotal: number): string {
  if (msTotal < SECOND) return `${Math.round(msTotal)}ms`;
  let s = msTotal / SECOND;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const sec = `${Number(s.toFixed(3))}s`;
  return h ? `${h}h${m}m${sec}` : m ? `${m}m${sec}` : sec;
}

/**
 * Docker's handleProbeResult: success makes it healthy; a failure counts towards `retries` unless the
 * container never was healthy and is still in its start period. Returns the new state.
 */
export function applyResult(state: HealthState, result: HealthResult, probe: Probe, startedAt: number): HealthState {
  const log = [...state.Log, result].slice(-MAX_LOG_ENTRIES);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  const inStartPeriod = state.Status === 'starting' && Date.parse(result.Start) - startedAt < probe.startPeriodMs;
  if (inStartPeriod) return { ...state, Log: log };
  const streak = state.FailingStreak + 1;
  return { Status: streak >= probe.retries ? 'unhealthy' : state.Status, FailingStreak: streak, Log: log };
}

/** The wait before the next probe: the start interval while starting in the start period. */
export function nextInterval(state: HealthState, probe: Probe, startedAt: number, now = Date.now()): number {
  if (now - startedAt >= probe.startPeriodMs) return probe.intervalMs;
  return state.Status === 'starting' ? probe.startIntervalMs : probe.intervalMs;
}

/** The berth extension: what to do when a container turns unhealthy (label, also `berth run --health-on-failure`). */
export const ON_FAILURE_LABEL = 'berth.health.on-failure';
export type OnFailureAction = 'none' | 'restart' | 'stop' | 'kill';

export function onFailureAction(labels: Record<string, string> | null | undefined): OnFailureAction {
  const v = labels?.[ON_FAILURE_LABEL];
  return v === 'restart' || v === 'stop' || v === 'kill' ? v : 'none';
}

export function validateOnFailureLabel(labels: Record<string, string> | null | undefined): void {
  const v = labels?.[ON_FAILURE_LABEL];
  if (v !== undefined && !['none', 'restart', 'stop', 'kill'].includes(v)) {
    throw invalidArgument(`invalid value for label ${ON_FAILURE_LABEL}: "${v}" (expected none, restart, stop or kill)`);
  }
}
