// Blob and upload endpoints: HEAD/GET (with Range), DELETE, and uploads (POST, monolithic POST?digest=,
// cross-repository mount, chunked or streamed PATCH, GET status, PUT to finish, DELETE to cancel).
import { pipeline } from 'node:stream/promises';
import { regError } from '../errors.js';
import { parseDigest } from '../names.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { hasBody, parseContentRange, parseRange, send, uploadRange, type Ctx } from './http.js';

function blobLocation(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

function uploadHeaders(name: string, uuid: string, offset: number): Record<string, string> {
  return { Location: `/v2/${name}/blobs/uploads/${uuid}`, Range: uploadRange(offset), 'Docker-Upload-UUID': uuid };
}

export async function getBlob(ctx: Ctx, storage: RegistryStorage, name: string, digest: string): Promise<void> {
  const d = parseDigest(digest);
  const size = await storage.requireBlob(name, d);
  const headers = { 'Docker-Content-Digest': d.digest, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', ETag: `"${d.digest}"` };
  const rangeHeader = ctx.req.headers.range;
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (rangeHeader !== undefined && size > 0) {
    const r = parseRange(rangeHeader, size);
    if (!r) {
      ctx.res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
      ctx.res.end();
      return;
    }
    ({ start, end } = r);
    status = 206;
    Object.assign(headers, { 'Content-Range': `bytes ${start}-${end}/${size}` });
  }
  const length = size === 0 ? 0 : end - start + 1;
  ctx.res.writeHead(status, { ...headers, 'Content-Length': length });
  if (ctx.req.method === 'HEAD' || length === 0) { ctx.res.end(); return; }
  await pipeline(storage.blobs.openRead(d, start, end), ctx.res);
}

export async function deleteBlob(ctx: Ctx, storage: RegistryStorage, name: string, digest: string): Promise<void> {
  const d = parseDigest(digest);
  await storage.deleteBlob(name, d);
  send(ctx, 202, { 'Docker-Content-Digest': d.digest });
}

export async function startUpload(ctx: Ctx, storage: RegistryStorage, name: string): Promise<void> {
  const q = ctx.url.searchParams;
  const mount = q.get('mount');
  if (mount !== null) {
    const d = parseDigest(mount);
    if (await storage.mount(name, d, q.get('from') ?? undefined)) {
      ctx.req.resume();
      send(ctx, 201, { Location: blobLocation(name, d.digest), 'Docker-Content-Digest': d.digest });
      return;
    }
  }
  const digest = q.get('digest');
  if (digest !== null && mount === null) {
    parseDigest(digest);
    const session = await storage.uploads.create(name);
    const res = await storage.finishUpload(name, session.uuid, digest, ctx.req);
    send(ctx, 201, { Location: blobLocation(name, res.digest.digest), 'Docker-Content-Digest': res.digest.digest });
    return;
  }
  const session = await storage.uploads.create(name);
  // A plain POST carries no content; anything sent is the start of the upload.
  if (hasBody(ctx.req)) await storage.uploads.append(name, session.uuid, ctx.req);
  else ctx.req.resume();
  const state = await storage.uploads.state(name, session.uuid);
  send(ctx, 202, uploadHeaders(name, session.uuid, state.offset));
}

export async function uploadStatus(ctx: Ctx, storage: RegistryStorage, name: string, uuid: string): Promise<void> {
  const state = await storage.uploads.state(name, uuid);
  send(ctx, 204, uploadHeaders(name, uuid, state.offset));
}

export async function patchUpload(ctx: Ctx, storage: RegistryStorage, name: string, uuid: string): Promise<void> {
  const range = parseContentRange(ctx.req.headers['content-range']);
  if (range) {
    const len = ctx.req.headers['content-length'];
    if (len !== undefined && Number(len) !== range.end - range.start + 1) {
      throw regError('RANGE_INVALID', 'Content-Range does not match Content-Length', { 'Content-Range': ctx.req.headers['content-range'], 'Content-Length': len });
    }
  }
  const state = await storage.uploads.append(name, uuid, ctx.req, range?.start);
  send(ctx, 202, uploadHeaders(name, uuid, state.offset));
}

export async function finishUpload(ctx: Ctx, storage: RegistryStorage, name: string, uuid: string): Promise<void> {
  const digest = ctx.url.searchParams.get('digest');
  if (digest === null) throw regError('DIGEST_INVALID', 'digest parameter missing', { uuid });
  parseDigest(digest);
  const range = parseContentRange(ctx.req.headers['content-range']);
  const body = hasBody(ctx.req) ? ctx.req : undefined;
  if (range) await storage.uploads.append(name, uuid, ctx.req, range.start);
  const res = await storage.finishUpload(name, uuid, digest, range ? undefined : body);
  if (!body) ctx.req.resume();
  send(ctx, 201, { Location: blobLocation(name, res.digest.digest), 'Docker-Content-Digest': res.digest.digest });
}

export async function cancelUpload(ctx: Ctx, storage: RegistryStorage, name: string, uuid: string): Promise<void> {
  await storage.uploads.cancel(name, uuid);
  ctx.req.resume();
  send(ctx, 204);
}
