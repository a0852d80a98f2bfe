// docker's formatter.Context: `--format` is "table", "table <tmpl>", "json", or a template; rows are the
// template run over each item followed by a newline; table mode adds a header row (the same template
// run over the column titles) and aligns everything with tabwriter(10, 1, 3).
import { Template, TemplateError, type TemplateOptions } from './template.js';
import { tabwrite } from './tabwriter.js';

export const JSON_FORMAT = '{{json .}}';

export interface ListFormat {
  /** Table layout used for "" and "table". */
  defaultTable: string;
  /** Used with -q when no --format is given. */
  quiet?: string;
  /** Column titles, by field name. */
  headers: Record<string, string>;
}

export interface ResolvedFormat { table: boolean; template: string }

export function resolveFormat(format: string | undefined, spec: ListFormat, quiet = false): ResolvedFormat {
  let f = format ?? '';
  if (f === '') f = quiet && spec.quiet ? spec.quiet : spec.defaultTable;
  if (quiet && f === 'table' && spec.quiet) f = spec.quiet;
  let table = false;
  if (f.startsWith('table')) {
    table = true;
    f = f.slice('table'.length);
    if (f.trim() === '') f = spec.defaultTable.slice('table'.length);
  } else if (f.trim() === 'json') f = JSON_FORMAT;
  f = f.trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, template: f };
}

/**
 * How a verb words template failures: docker's generic formatter says "template parsing error" for both
 * parse and execution; `ps` says "failed to parse template" / "failed to execute template".
 */
export type TemplateErrorStyle = 'context' | 'ps';

export interface RenderOptions { template?: TemplateOptions; style?: TemplateErrorStyle }

/** Parses a user template with docker's error wording. */
export function compileTemplate(source: string, opts: RenderOptions = {}): Template {
  try {
    return new Template(source, opts.template);
  } catch (err) {
    if (err instanceof TemplateError) throw new Error(`${opts.style === 'ps' ? 'failed to parse template' : 'template parsing error'}: ${err.message}`);
    throw err;
  }
}

function headerContext(headers: Record<string, string>): unknown {
  return new Proxy({}, {
    get: (_t, name) => {
      if (typeof name !== 'string') return undefined;
      if (name === 'Label') return () => 'LABEL';
      return headers[name] ?? '';
    },
    has: () => true,
  });
}

export function renderList(items: unknown[], format: ResolvedFormat, headers: Record<string, string>, opts: RenderOptions = {}): string {
  const tmpl = compileTemplate(format.template, opts);
  let out = '';
  const exec = (v: unknown) => {
    try { return tmpl.execute(v); } catch (err) {
      if (err instanceof TemplateError) throw new Error(`${opts.style === 'ps' ? 'failed to execute template' : 'template parsing error'}: ${err.message}`);
      throw err;
    }
  };
  if (format.table) out += exec(headerContext(headers)) + '\n';
  for (const item of items) out += exec(item) + '\n';
  if (!format.table) return out;
  return tabwrite(out);
}

/** stringid.TruncateID: drop the algorithm and keep 12 hex digits. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  return (i >= 0 ? id.slice(i + 1) : id).slice(0, 12);
}

/** formatter.Ellipsis: cut to `max` runes, the last one an ellipsis. */
export function ellipsis(s: string, max: number): string {
  const r = [...s];
  if (r.length <= max) return s;
  if (max <= 0) return '';
  return r.slice(0, max - 1).join('') + '…';
}

/** Go's time.Time.String() for a unix-seconds time in the local zone: `2026-11-22 05:57:00 +0000 UTC`. */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const offMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offMin * 60000);
  const iso = local.toISOString();
  const sign = offMin >= 0 ? '+' : '-';
  const abs = Math.abs(offMin);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  const zone = offMin === 0 ? 'UTC' : off;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${off} ${zone}`;
}

/** RFC3339 with fixed 9-digit nanoseconds in the local zone (jsonmessage.RFC3339NanoFixed). */
export function rfc3339NanoFixed(timeNano: bigint | number): string {
  const ns = BigInt(timeNano);
  const ms = Number(ns / 1000000n);
  const d = new Date(ms);
  const offMin = -d.getTimezoneOffset();
  const local = new Date(ms + offMin * 60000).toISOString().slice(0, 19);
  const frac = String(ns % 1000000000n).padStart(9, '0');
  if (offMin === 0) return `${local}.${frac}Z`;
  const abs = Math.abs(offMin);
  return `${local}.${frac}${offMin > 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
