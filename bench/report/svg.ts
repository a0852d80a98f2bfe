// A bar chart of Berth/Docker ratios (log scale, 1× in the middle): bars left of 1× mean Berth is
// faster or smaller, right of it slower or bigger; a dashed tick marks each row's target. Hand-written
// SVG, no dependencies.
import type { RowView } from './table.js';

const ROW = 26;
const LABEL_W = 330;
const PLOT_W = 420;
const MIN = 0.01;
const MAX = 10;

function x(ratio: number): number {
  const r = Math.min(MAX, Math.max(MIN, ratio));
  return LABEL_W + ((Math.log10(r) - Math.log10(MIN)) / (Math.log10(MAX) - Math.log10(MIN))) * PLOT_W;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderSvg(rows: RowView[], title: string): string {
  const shown = rows.filter((r) => r.ratio !== undefined || r.metric.maxRatio !== undefined);
  const top = 50;
  const height = top + shown.length * ROW + 40;
  const width = LABEL_W + PLOT_W + 90;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="38" fill="#555">Berth/Docker (log scale; left of 1× = Berth better; dashed = target)</text>`,
  ];
  for (const tick of [0.01, 0.1, 0.25, 0.5, 1, 2, 10]) {
    const tx = x(tick).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${top + shown.length * ROW}" stroke="${tick === 1 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${tx}" y="${top + shown.length * ROW + 16}" text-anchor="middle" fill="#555">${tick}×</text>`);
  }
  shown.forEach((r, i) => {
    const y = top + i * ROW;
    out.push(`<text x="${LABEL_W - 8}" y="${y + 17}" text-anchor="end">${esc(r.metric.label)}</text>`);
    if (r.ratio !== undefined) {
      const a = x(Math.min(1, r.ratio));
      const b = x(Math.max(1, r.ratio));
      const color = r.verdict === 'missed' ? '#d9534f' : r.verdict === 'met' ? '#5cb85c' : r.ratio <= 1 ? '#8fbf8f' : '#e0a0a0';
      out.push(`<rect x="${a.toFixed(1)}" y="${y + 5}" width="${Math.max(1, b - a).toFixed(1)}" height="${ROW - 10}" fill="${color}"/>`);
      out.push(`<text x="${(b + 4).toFixed(1)}" y="${y + 17}">${r.ratio.toFixed(2)}×</text>`);
    } else {
      out.push(`<text x="${x(1) + 4}" y="${y + 17}" fill="#999">skipped</text>`);
    }
    if (r.metric.maxRatio !== undefined) {
      const t = x(r.metric.maxRatio).toFixed(1);
      out.push(`<line x1="${t}" y1="${y + 2}" x2="${t}" y2="${y + ROW - 2}" stroke="#000" stroke-dasharray="3,2"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
