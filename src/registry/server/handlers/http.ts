// Small HTTP helpers shared by the handlers: responses with the registry's common headers, bounded body
// reads, Range parsing, pagination parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { regError, RegistryError } from '../errors.js';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

export type Headers = Record<string, string | number | string[]>;

export function send(ctx: Ctx, status: number, headers: Headers = {}, body?: Buffer | string): void {
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  ctx.res.writeHead(status, { 'Content-Length': data?.length ?? 0, ...headers });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : data);
}

export function sendJson(ctx: Ctx, status: number, value: unknown, headers: Headers = {}): void {
  send(ctx, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
}

/** Reads the whole body, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new RegistryError('SIZE_INVALID', 'payload too large', { limit }, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RegistryError('SIZE_INVALID', 'payload too large', { limit }, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Whether the request carries body bytes (a declared length above zero, or chunked encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against a blob of `size` bytes; undefined when unsatisfiable. */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return undefined;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return undefined;
  return { start, end };
}

/** A PATCH's `Content-Range: <start>-<end>` (also accepted with a `bytes ` prefix). */
export function parseContentRange(header: string | undefined): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw regError('RANGE_INVALID', 'invalid content range', { 'Content-Range': header });
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** `n` and `last` of tag and catalog listings. */
export function pagination(url: URL): { n?: number; last?: string } {
  const nText = url.searchParams.get('n');
  let n: number | undefined;
  if (nText !== null && nText !== '') {
    if (!/^\d+$/.test(nText)) throw regError('PAGINATION_NUMBER_INVALID', 'invalid number of results requested', { n: nText });
    n = Number(nText);
  }
  return { n, last: url.searchParams.get('last') ?? undefined };
}

/** One page of a sorted list, and the Link header to the next page when more remain. */
export function page(items: string[], path: string, p: { n?: number; last?: string }): { items: string[]; link?: string } {
  let rest = p.last === undefined ? items : items.filter((t) => t > p.last!);
  if (p.n === undefined) return { items: rest };
  const more = rest.length > p.n;
  rest = rest.slice(0, p.n);
  if (!more || rest.length === 0) return { items: rest };
  const next = new URLSearchParams({ last: rest[rest.length - 1], n: String(p.n) });
  return { items: rest, link: `<${path}?${next.toString()}>; rel="next"` };
}

/** Range header value for an upload at `offset` bytes (distribution's form: `0-0` before any byte). */
export function uploadRange(offset: number): string {
  return `0-${Math.max(0, offset - 1)}`;
}
