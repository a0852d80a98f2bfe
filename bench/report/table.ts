// The results table (Markdown, so it reads in a terminal and pastes into docs and issue notes as is):
// one row per metric, Docker and Berth as median (min–max), the Berth/Docker ratio of the medians and the
// target it is read against. Skip reasons and notes follow the table, numbered.
import { summarize, type Summary } from '../lib/stats.js';
import type { Metric, Unit } from '../workloads/types.js';
import type { EngineName } from '../engines/engine.js';

export interface RowView {
  metric: Metric;
  docker?: Summary;
  berth?: Summary;
  ratio?: number;
  verdict?: 'met' | 'missed';
}

export function viewOf(metric: Metric): RowView {
  const docker = summarize(metric.values.docker);
  const berth = summarize(metric.values.berth);
  const ratio = docker && berth && docker.median > 0 ? berth.median / docker.median : undefined;
  const verdict = ratio === undefined || metric.maxRatio === undefined ? undefined : ratio <= metric.maxRatio ? 'met' : 'missed';
  return { metric, docker, berth, ratio, verdict };
}

export function fmt(v: number, unit: Unit): string {
  if (unit === 'MB' || unit === 'MB/s') return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function cell(s: Summary | undefined, unit: Unit, skipped: string | undefined, footnote: () => number): string {
  if (!s) return skipped ? `skipped [${footnote()}]` : '—';
  return `${fmt(s.median, unit)} (${fmt(s.min, unit)}–${fmt(s.max, unit)})`;
}

export function renderTable(rows: RowView[]): string {
  const notes: string[] = [];
  const footnote = (text: string) => () => {
    const i = notes.indexOf(text);
    if (i >= 0) return i + 1;
    notes.push(text);
    return notes.length;
  };
  const head = ['workload', 'unit', 'Docker median (min–max)', 'Berth median (min–max)', 'Berth/Docker', 'target', ''];
  const lines = [head, head.map(() => '---')];
  for (const r of rows) {
    const m = r.metric;
    const skip = (e: EngineName) => m.skipped[e];
    lines.push([
      m.label, m.unit,
      cell(r.docker, m.unit, skip('docker'), footnote(`Docker: ${skip('docker')}`)),
      cell(r.berth, m.unit, skip('berth'), footnote(`Berth: ${skip('berth')}`)),
      r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
      m.targetText ?? '',
      r.verdict === 'met' ? 'met' : r.verdict === 'missed' ? 'MISSED' : '',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const text = lines.map((l, li) => '| ' + l.map((c, i) => li === 1 ? '-'.repeat(widths[i]) : c.padEnd(widths[i])).join(' | ') + ' |').join('\n');
  const extra: string[] = [];
  for (const r of rows) for (const n of r.metric.notes) extra.push(`${r.metric.label}: ${n}`);
  return [
    text,
    ...(notes.length ? ['', ...notes.map((n, i) => `[${i + 1}] ${n}`)] : []),
    ...(extra.length ? ['', 'Notes:', ...extra.map((n) => `- ${n}`)] : []),
  ].join('\n');
}
