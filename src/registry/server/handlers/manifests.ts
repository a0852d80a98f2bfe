// Manifest, tag-list, catalog and referrers endpoints.
import { regError } from '../errors.js';
import { parseDigest } from '../names.js';
import { MAX_MANIFEST_BYTES, type RegistryStorage } from '../storage/registry-storage.js';
import { MT } from '../storage/manifest.js';
import { page, pagination, readBody, send, sendJson, type Ctx } from './http.js';

export async function getManifest(ctx: Ctx, storage: RegistryStorage, name: string, ref: string): Promise<void> {
  const m = await storage.manifest(name, ref);
  const body = ctx.req.method === 'HEAD' ? undefined : await storage.manifestBody(m);
  const headers = { 'Content-Type': m.mediaType, 'Docker-Content-Digest': m.digest, ETag: `"${m.digest}"` };
  if (body === undefined) {
    ctx.res.writeHead(200, { ...headers, 'Content-Length': m.size });
    ctx.res.end();
    return;
  }
  send(ctx, 200, headers, body);
}

export async function putManifest(ctx: Ctx, storage: RegistryStorage, name: string, ref: string): Promise<void> {
  const body = await readBody(ctx.req, MAX_MANIFEST_BYTES);
  const tags = ctx.url.searchParams.getAll('tag');
  const m = await storage.putManifest(name, ref, body, ctx.req.headers['content-type'], tags);
  const headers: Record<string, string | string[]> = { Location: `/v2/${name}/manifests/${m.digest}`, 'Docker-Content-Digest': m.digest };
  if (m.subject) headers['OCI-Subject'] = m.subject;
  if (tags.length) headers['OCI-Tag'] = tags;
  send(ctx, 201, headers);
}

export async function deleteManifest(ctx: Ctx, storage: RegistryStorage, name: string, ref: string): Promise<void> {
  await storage.deleteManifest(name, ref);
  send(ctx, 202);
}

export async function listTags(ctx: Ctx, storage: RegistryStorage, name: string): Promise<void> {
  if (!storage.repoExists(name)) throw regError('NAME_UNKNOWN', 'repository name not known to registry', { name });
  const p = page(await storage.tags(name), `/v2/${name}/tags/list`, pagination(ctx.url));
  sendJson(ctx, 200, { name, tags: p.items }, p.link ? { Link: p.link } : {});
}

export async function catalog(ctx: Ctx, storage: RegistryStorage): Promise<void> {
  const p = page(await storage.repoNames(), '/v2/_catalog', pagination(ctx.url));
  sendJson(ctx, 200, { repositories: p.items }, p.link ? { Link: p.link } : {});
}

export async function referrers(ctx: Ctx, storage: RegistryStorage, name: string, digest: string): Promise<void> {
  const subject = parseDigest(digest);
  const artifactType = ctx.url.searchParams.get('artifactType') ?? undefined;
  const manifests = await storage.referrers(name, subject, artifactType);
  const headers: Record<string, string> = { 'Content-Type': MT.ociIndex };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  send(ctx, 200, headers, JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }));
}
