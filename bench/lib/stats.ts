// Summaries of a sample: median, min and max (what the table prints).
export interface Summary { median: number; min: number; max: number; n: number }

export function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}
