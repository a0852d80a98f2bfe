// Medians of the step timings berthd logs at debug level (fields ending in "Ms", e.g. the
// "container launched" line with mountMs, prepareMs, createMs, startMs), grouped by message. Read from
// berthd's log when BENCH_PROFILE=1 runs it with --log-level debug.
import { summarize } from '../lib/stats.js';

export function summarizeStepTimings(logText: string): string {
  const groups = new Map<string, Map<string, number[]>>();
  for (const line of logText.split('\n')) {
    const msg = /msg="([^"]*)"/.exec(line)?.[1];
    if (!msg) continue;
    for (const m of line.matchAll(/ (\w+Ms)=([\d.]+)/g)) {
      const fields = groups.get(msg) ?? new Map<string, number[]>();
      groups.set(msg, fields);
      const values = fields.get(m[1]) ?? [];
      fields.set(m[1], values);
      values.push(Number(m[2]));
    }
  }
  if (groups.size === 0) return '';
  const lines = ['berthd step timings (medians over the run, from its debug log):'];
  for (const [msg, fields] of groups) {
    const n = Math.max(...[...fields.values()].map((v) => v.length));
    const parts = [...fields].map(([k, v]) => `${k} ${summarize(v)!.median.toFixed(1)}`);
    lines.push(`  ${msg} (n=${n}): ${parts.join(', ')}`);
  }
  return lines.join('\n');
}
