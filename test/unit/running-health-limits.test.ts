import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyResult, goDuration, nextInterval, probeOf, validateHealthConfig, type HealthState } from '../../src/engine/health/health-config.js';
import { limitsOf, mergeUpdate, normalizeResources } from '../../src/engine/limits/limits-config.js';
import { checkAutoRemove, validateRestartPolicy } from '../../src/engine/limits/restart-policy-config.js';
import { ociResources } from '../../src/runtime/cgroups/resources.js';
import { parseBlkioV1 } from '../../src/runtime/cgroups/stats-v1.js';
import { parseIoStat } from '../../src/runtime/cgroups/stats-v2.js';
import { parseNetDev, parseSystemCpu } from '../../src/runtime/proc-stats.js';
import { cpuPercent, memoryUsage, statsCells, statsRow } from '../../src/cli/verbs/stats-format.js';
import { parseGoDuration } from '../../src/cli/verbs/supervision-flags.js';

const S = 1e9;

test('probe: CMD, CMD-SHELL through the image shell, NONE, Docker defaults', () => {
  assert.equal(probeOf({ Test: ['NONE'] }, undefined), undefined);
  assert.equal(probeOf(undefined, undefined), undefined);
  const p = probeOf({ Test: ['CMD-SHELL', 'test -f /ok'] }, undefined)!;
  assert.deepEqual(p.argv, ['/bin/sh', '-c', 'test -f /ok']);
  assert.deepEqual([p.intervalMs, p.timeoutMs, p.startPeriodMs, p.startIntervalMs, p.retries], [30000, 30000, 0, 5000, 3]);
  assert.deepEqual(probeOf({ Test: ['CMD-SHELL', 'x'] }, ['/bin/ash', '-c'])!.argv, ['/bin/ash', '-c', 'x']);
  assert.deepEqual(probeOf({ Test: ['CMD', 'true', 'a b'], Interval: 2 * S, Retries: 1 }, undefined)!.argv, ['true', 'a b']);
  assert.throws(() => validateHealthConfig({ Interval: 10 }), /Interval in Healthcheck cannot be less than 1ms/);
  assert.throws(() => validateHealthConfig({ Retries: -1 }), /Retries in Healthcheck cannot be negative/);
  assert.equal(goDuration(30000), '30s');
  assert.equal(goDuration(90000), '1m30s');
  assert.equal(goDuration(500), '500ms');
});

test('results: retries count failures, start period forgives them until healthy once, log keeps five', () => {
  const probe = probeOf({ Test: ['CMD', 'x'], Retries: 2, StartPeriod: 10 * S }, undefined)!;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const at = (s: number, code: number) => ({ Start: new Date(t0 + s * 1000).toISOString(), End: new Date(t0 + s * 1000).toISOString(), ExitCode: code, Output: '' });
  let st: HealthState = { Status: 'starting', FailingStreak: 0, Log: [] };
  st = applyResult(st, at(1, 1), probe, t0);
  assert.deepEqual([st.Status, st.FailingStreak], ['starting', 0]);
  st = applyResult(st, at(11, 1), probe, t0);
  assert.deepEqual([st.Status, st.FailingStreak], ['starting', 1]);
  st = applyResult(st, at(12, 1), probe, t0);
  assert.deepEqual([st.Status, st.FailingStreak], ['unhealthy', 2]);
  st = applyResult(st, at(13, 0), probe, t0);
  assert.deepEqual([st.Status, st.FailingStreak], ['healthy', 0]);
  for (let i = 0; i < 6; i++) st = applyResult(st, at(20 + i, 0), probe, t0);
  assert.equal(st.Log.length, 5);
  const sp = probeOf({ Test: ['CMD', 'x'], StartPeriod: 10 * S, StartInterval: 1 * S, Interval: 30 * S }, undefined)!;
  assert.equal(nextInterval({ Status: 'starting', FailingStreak: 0, Log: [] }, sp, t0, t0 + 1000), 1000);
  assert.equal(nextInterval({ Status: 'healthy', FailingStreak: 0, Log: [] }, sp, t0, t0 + 1000), 30000);
  assert.equal(nextInterval({ Status: 'starting', FailingStreak: 0, Log: [] }, sp, t0, t0 + 11000), 30000);
});

test('limits: Docker checks, swap defaults to twice the memory, cpus to quota', () => {
  assert.throws(() => normalizeResources({ Memory: 1024 }), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => normalizeResources({ Memory: 64 << 20, MemorySwap: 32 << 20 }), /memoryswap limit should be larger/);
  assert.throws(() => normalizeResources({ MemorySwap: 64 << 20 }), /always set the Memory limit/);
  assert.throws(() => normalizeResources({ NanoCpus: 1e9, CpuQuota: 50000 }), /Nano CPUs and CPU Quota/);
  assert.throws(() => normalizeResources({ MemorySwappiness: 101 }), /swappiness range is 0-100/);
  assert.throws(() => normalizeResources({ CpusetCpus: '0-99' }), /Requested CPUs are not available/);
  const r = { Memory: 64 << 20 };
  normalizeResources(r);
  assert.equal((r as { MemorySwap?: number }).MemorySwap, 128 << 20);
  const l = limitsOf({ NanoCpus: 5e8, Memory: 64 << 20, MemorySwap: -1, PidsLimit: 20, MemorySwappiness: -1, OomKillDisable: true });
  assert.deepEqual(ociResources(l), { memory: { limit: 64 << 20, swap: -1, disableOOMKiller: true }, cpu: { quota: 50000, period: 100000 }, pids: { limit: 20 } });
});

test('update merge: Docker refuses memory over the swap already set, and NanoCpus against quota', () => {
  assert.throws(() => mergeUpdate({ Memory: 50 << 20, MemorySwap: 100 << 20 }, { Memory: 200 << 20 }, 'x'), /smaller than already set memoryswap/);
  assert.deepEqual(mergeUpdate({ Memory: 50 << 20, MemorySwap: 100 << 20 }, { Memory: 80 << 20 }, 'x').Memory, 80 << 20);
  assert.throws(() => mergeUpdate({ CpuQuota: 50000 }, { NanoCpus: 1e9 }, 'x'), /CPU Quota cannot be updated/);
});

test('restart policies: names, counts, --rm', () => {
  assert.deepEqual(validateRestartPolicy(undefined), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(validateRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 3 }), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.throws(() => validateRestartPolicy({ Name: 'sometimes' }), /unknown policy 'sometimes'/);
  assert.throws(() => validateRestartPolicy({ Name: 'always', MaximumRetryCount: 2 }), /only be used with 'on-failure'/);
  assert.throws(() => checkAutoRemove(true, { Name: 'always', MaximumRetryCount: 0 }), /can't create 'AutoRemove' container with restart policy/);
});

test('counters: blkio v1/v2, net/dev, /proc/stat, and the CLI numbers from them', () => {
  assert.deepEqual(parseBlkioV1('8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n'), [{ major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 8192 }]);
  assert.deepEqual(parseIoStat('254:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n').serviceBytes.map((e) => e.value), [10, 20]);
  const dev = parseNetDev('Inter-|x\n face |y\n    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n  eth0: 100 2 0 0 0 0 0 0 50 1 0 0 0 0 0 0\n');
  assert.deepEqual(Object.keys(dev), ['eth0']);
  assert.equal(dev.eth0.tx_bytes, 50);
  assert.equal(parseSystemCpu('cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1\n'), 10 * 1e9);
  const s = {
    id: 'a'.repeat(64), name: '/web', read: '',
    cpu_stats: { cpu_usage: { total_usage: 2e9 }, system_cpu_usage: 12e9, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 10e9 },
    memory_stats: { usage: 10 << 20, limit: 100 << 20, stats: { total_inactive_file: 2 << 20 } },
    networks: { eth0: { rx_bytes: 1000, tx_bytes: 2000 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 4096 }] }, pids_stats: { current: 3 },
  };
  assert.equal(cpuPercent(s), 100);
  assert.equal(memoryUsage(s), 8 << 20);
  assert.deepEqual(statsCells(statsRow(s)), ['aaaaaaaaaaaa', 'web', '100.00%', '8MiB / 100MiB', '8.00%', '1kB / 2kB', '4.1kB / 0B', '3']);
  assert.equal(parseGoDuration('1m30s', 'x'), 90 * S);
  assert.equal(parseGoDuration('500ms', 'x'), 5e8);
});
