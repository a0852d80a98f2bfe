// `docker top`: runs `ps` on the host and keeps the rows of the container's processes, as Docker does.
import { readFileSync } from 'node:fs';
import { internal, invalidArgument } from '../../errors.js';
import { CommandFailed, runCommand } from '../../util/run-command.js';

export interface TopResult { Titles: string[]; Processes: string[][] }

/** Splits ps output into titles and rows of the given pids (the last column may contain spaces). */
export function parsePs(output: string, pids: number[]): TopResult {
  const lines = output.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return { Titles: [], Processes: [] };
  const titles = lines[0].trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw invalidArgument('Couldn\'t find PID field in ps output');
  const wanted = new Set(pids);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    if (wanted.has(Number(fields[pidIndex]))) processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

export function top(pids: number[], psArgs = '-ef'): Promise<TopResult> {
  const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
  return runCommand('ps', args, { timeoutMs: 10_000 }).then(
    ({ stdout }) => parsePs(stdout, pids),
    (err: unknown) => { throw internal(`ps: ${err instanceof CommandFailed ? err.detail : String(err)}`); },
  );
}

/** Pids in a cgroup (v1 pids/memory hierarchy, or v2), falling back to the init pid alone. */
export function cgroupPids(cgroup: string, initPid: number): number[] {
  for (const base of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    try {
      return readFileSync(`${base}/${cgroup}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch { /* try the next hierarchy */ }
  }
  return initPid ? [initPid] : [];
}
