// Prints the table with its header (date, machine, engines, method) and writes the JSON, Markdown and
// SVG files under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, type MachineInfo } from '../lib/host.js';
import type { Recorder } from '../workloads/types.js';
import { renderTable, viewOf } from './table.js';
import { renderSvg } from './svg.js';

export interface ReportInput {
  date: Date;
  machine: MachineInfo;
  settings: { rounds: number; only: string[]; budgetS: number; profile: boolean };
  imageSource: string;
  versions: { docker: string; berth: string; cli: string };
  rec: Recorder;
  resultsDir: string;
  /** 1-minute load averages at the start and the end: other work on the machine skews absolute times. */
  load: { start: number; end: number };
  /** Set when the run was cut short; said above the table. */
  partial?: string;
}

export function writeReport(r: ReportInput): void {
  const rows = [...r.rec.metrics.values()].map(viewOf);
  const iso = r.date.toISOString().replace(/\.\d+Z$/, 'Z');
  const stamp = iso.replace(/:/g, '-');
  const header = [
    `Berth vs Docker — ${iso}${r.partial ? ` — PARTIAL: ${r.partial}` : ''}`,
    `Machine: ${describeMachine(r.machine)}; load average ${r.load.start.toFixed(1)} at start, ${r.load.end.toFixed(1)} at end`,
    `Engines: dockerd ${r.versions.docker} (containerd, runc; overlay2) vs berthd ${r.versions.berth}; client: docker CLI ${r.versions.cli} for both`,
    `Image: ${r.imageSource}`,
    `Rounds: ${r.settings.rounds} (start/memory/ps, logs, pull: ${Math.min(r.settings.rounds, 3)}); engines interleaved, alternating order; wall times through the docker CLI unless the row says API.`,
    'Memory: sum over the engine\'s processes (Docker: dockerd + containerd + containerd-shim-runc-v2; Berth: berthd + conmon), VmRSS and smaps_rollup Pss.',
  ].join('\n');
  const table = renderTable(rows);
  process.stdout.write(`\n${header}\n\n${table}\n\n`);

  mkdirSync(r.resultsDir, { recursive: true });
  const json = JSON.stringify({
    date: r.date.toISOString(), partial: r.partial, load: r.load, machine: r.machine, settings: r.settings, imageSource: r.imageSource, versions: r.versions,
    metrics: rows.map((v) => ({ ...v.metric, docker: v.docker, berth: v.berth, ratio: v.ratio, verdict: v.verdict })),
  }, null, 2);
  const svg = renderSvg(rows, `Berth/Docker — ${iso.slice(0, 16).replace('T', ' ')} UTC — ${r.machine.cpu}, ${r.machine.cores} cores`);
  const files: Array<[string, string]> = [
    [`bench-${stamp}.json`, json], ['latest.json', json], [`ratios-${stamp}.svg`, svg], ['latest.svg', svg],
    ['latest.md', `${header.split('\n').map((l) => l + '  ').join('\n')}\n\n${table}\n`],
  ];
  for (const [name, content] of files) writeFileSync(join(r.resultsDir, name), content);
}
