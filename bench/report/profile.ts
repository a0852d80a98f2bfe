// A short reading of berthd's CPU profile (node --cpu-prof, BENCH_PROFILE=1): the functions with the most
// self time, and the share of time spent idle, in GC and in Berth's own code. Enough to say where the
// time of a missed target goes without opening DevTools.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export function newestProfile(dir: string): string | undefined {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  } catch { return undefined; }
}

export function summarizeProfile(path: string, top = 15): string {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const f = byId.get(id)?.callFrame;
    if (!f) return;
    const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const pct = (us: number) => ((100 * us) / Math.max(1, total)).toFixed(1) + '%';
  const sum = (re: RegExp) => [...self].filter(([k]) => re.test(k)).reduce((n, [, v]) => n + v, 0);
  const lines = [
    `CPU profile ${path} — ${(total / 1e6).toFixed(1)} s sampled: idle ${pct(sum(/^\(idle\)/))}, GC ${pct(sum(/^\(garbage collector\)/))}, ` +
      `berth code ${pct(sum(/dist\/src\//))}, node internals ${pct(sum(/node:/))}`,
    'Top self time (busy only):',
  ];
  const busy = [...self].filter(([k]) => !/^\((idle|program)\)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, v] of busy) lines.push(`  ${pct(v).padStart(6)}  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return lines.join('\n');
}
