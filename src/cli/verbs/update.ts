// `berth update`: new limits or restart policy for one or more containers (docker update's flags).
import type { VerbSpec } from '../command.js';
import { UsageError } from '../flags.js';
import { parseMemory } from '../format/units.js';
import { eachItem, reportItems } from './bulk.js';

function bytes(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (v === '-1') return -1;
  try { return parseMemory(v); } catch { throw new UsageError(`invalid argument "${v}" for "--${name}" flag: invalid size: '${v}'`); }
}

export const updateVerb: VerbSpec = {
  usage: 'update [OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Update configuration of one or more containers',
  aliases: ['container update', 'update'],
  flags: [
    { long: 'blkio-weight', kind: 'int', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
    { long: 'cpu-period', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) period' },
    { long: 'cpu-quota', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
    { long: 'cpu-shares', short: 'c', kind: 'int', help: 'CPU shares (relative weight)' },
    { long: 'cpus', kind: 'string', valueName: 'decimal', help: 'Number of CPUs' },
    { long: 'cpuset-cpus', kind: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
    { long: 'cpuset-mems', kind: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
    { long: 'memory', short: 'm', kind: 'string', valueName: 'bytes', help: 'Memory limit' },
    { long: 'memory-reservation', kind: 'string', valueName: 'bytes', help: 'Memory soft limit' },
    { long: 'memory-swap', kind: 'string', valueName: 'bytes', help: "Swap limit equal to memory plus swap: -1 to enable unlimited swap" },
    { long: 'pids-limit', kind: 'int', help: 'Tune container pids limit (set -1 for unlimited)' },
    { long: 'restart', kind: 'string', help: 'Restart policy to apply when a container exits' },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    const body: Record<string, unknown> = {};
    const set = (k: string, v: unknown) => { if (v !== undefined) body[k] = v; };
    set('BlkioWeight', flags.int('blkio-weight'));
    set('CpuPeriod', flags.int('cpu-period'));
    set('CpuQuota', flags.int('cpu-quota'));
    set('CpuShares', flags.int('cpu-shares'));
    const cpus = flags.string('cpus');
    if (cpus !== undefined) {
      const n = Number(cpus);
      if (!Number.isFinite(n)) throw new UsageError(`invalid argument "${cpus}" for "--cpus" flag: failed to parse ${cpus} as a rational number`);
      body.NanoCpus = Math.round(n * 1e9);
    }
    set('CpusetCpus', flags.string('cpuset-cpus'));
    set('CpusetMems', flags.string('cpuset-mems'));
    set('Memory', bytes(flags.string('memory'), 'memory'));
    set('MemoryReservation', bytes(flags.string('memory-reservation'), 'memory-reservation'));
    set('MemorySwap', bytes(flags.string('memory-swap'), 'memory-swap'));
    set('PidsLimit', flags.int('pids-limit'));
    const restart = flags.string('restart');
    if (restart !== undefined) {
      const [Name, count] = restart.split(':');
      body.RestartPolicy = { Name, MaximumRetryCount: count ? Number(count) : 0 };
    }
    if (Object.keys(body).length === 0) throw new UsageError('you must provide one or more flags when using this command');
    const reports = await eachItem(ctx, flags.args, async (c) => {
      const res = await ctx.client().containerUpdate(c, body);
      for (const w of res.Warnings ?? []) ctx.stderr.write(`${w}\n`);
      return c;
    });
    return reportItems(ctx, reports);
  },
};
