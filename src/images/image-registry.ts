// The daemon's registry client: pull, push, login, distribution inspect and search, over sessions that
// share connection pools, the token cache and the transfer limits (`max-concurrent-downloads/uploads`).
import { join } from 'node:path';
import { invalidArgument, notFound } from '../errors.js';
import type { ImageService } from './image-service.js';
import type { ImageRecord } from '../model/image.js';
import type { LayerInfo } from '../storage/layer-store.js';
import type { ProgressMessage } from './progress.js';
import { DEFAULT_DOMAIN, familiarName, parseReference, repoOf, type ImageReference } from './reference.js';
import type { Credentials } from '../registry/client/auth.js';
import { RegistryContext, RegistrySession, readBody, registryError } from '../registry/client/session.js';
import { fetchManifest, isIndex, MT, type ImageManifest } from '../registry/client/manifest.js';
import { fetchSmallBlob } from '../registry/client/blob-fetch.js';
import { pullImage, type PullResult } from './image-pull.js';
import { pushImage } from './image-push.js';
import { searchRegistry, type SearchResult } from '../registry/client/search.js';
import { BlobSources } from '../registry/client/blob-sources.js';
import { Limiter } from '../registry/client/limiter.js';
import { SharedJobs } from '../registry/client/shared-jobs.js';
import { remoteName, shownRef } from './remote-name.js';
import type { RegistrySettings } from '../registry/client/endpoints.js';

export interface RegistryServiceOptions extends RegistrySettings {
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
}

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: Array<{ architecture: string; os: string; variant?: string; 'os.version'?: string }>;
}

/** `https://index.docker.io/v1/`, `http://127.0.0.1:5000` → the registry key (`docker.io`, `127.0.0.1:5000`). */
export function registryOfServerAddress(addr: string | undefined): string {
  if (!addr) return DEFAULT_DOMAIN;
  const host = addr.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (['index.docker.io', 'registry-1.docker.io', 'docker.io', 'registry.hub.docker.com'].includes(host)) return DEFAULT_DOMAIN;
  return host;
}

export class RegistryService {
  readonly ctx: RegistryContext;
  private readonly downloads: Limiter;
  private readonly uploads: Limiter;
  private readonly sources: BlobSources;
  private readonly layerJobs = new SharedJobs<LayerInfo, ProgressMessage>();

  constructor(private readonly images: ImageService, opts: RegistryServiceOptions) {
    this.ctx = new RegistryContext(opts);
    this.downloads = new Limiter(opts.maxConcurrentDownloads);
    this.uploads = new Limiter(opts.maxConcurrentUploads);
    this.sources = new BlobSources(images.root);
  }

  /** Where partial downloads wait (kept across restarts so a pull can resume). */
  get partialDir(): string {
    return join(this.images.root, 'pull-partial');
  }

  async pull(ref: ImageReference, opts: { platform?: string; creds: Credentials; emit: (m: ProgressMessage) => void }): Promise<PullResult> {
    return await pullImage({ images: this.images, ctx: this.ctx, downloads: this.downloads, sources: this.sources, partialDir: this.partialDir, layerJobs: this.layerJobs },
      { ref, platform: opts.platform, creds: opts.creds, emit: opts.emit });
  }

  /** Pushes `name[:tag]`; without a tag every tag of the repository, as Docker does. */
  async push(name: string, tag: string | undefined, creds: Credentials, emit: (m: ProgressMessage) => void): Promise<void> {
    const ref = parseReference(name);
    if (ref.digest) throw invalidArgument('cannot push a digest reference');
    const familiar = familiarName(ref.name);
    const wanted = tag || ref.tag;
    const tags: Array<{ tag: string; image: ImageRecord }> = [];
    if (wanted) {
      const id = this.images.store.refTarget(`${familiar}:${wanted}`);
      const image = id ? this.images.store.record(id) : undefined;
      if (!image) throw notFound(`An image does not exist locally with the tag: ${familiar}`);
      tags.push({ tag: wanted, image });
    } else {
      for (const rec of this.images.store.records()) {
        for (const t of rec.repoTags) if (repoOf(t) === familiar) tags.push({ tag: t.slice(familiar.length + 1), image: rec });
      }
      if (tags.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiar}`);
    }
    await pushImage({ images: this.images, ctx: this.ctx, uploads: this.uploads, sources: this.sources }, { ref: { name: ref.name }, creds, emit }, tags);
  }

  /** POST /auth: the credentials must be accepted by the registry. */
  async login(serverAddress: string | undefined, creds: Credentials): Promise<{ Status: string; IdentityToken: string }> {
    const registry = registryOfServerAddress(serverAddress);
    const session = new RegistrySession(this.ctx, registry, creds, RegistrySession.endpoints(this.ctx, registry).at(-1));
    const { identityToken } = await session.login();
    return { Status: 'Login Succeeded', IdentityToken: identityToken ?? '' };
  }

  /** GET /distribution/{name}/json: the manifest descriptor and the platforms it offers. */
  async distribution(name: string, creds: Credentials): Promise<DistributionInspect> {
    const parsed = parseReference(name);
    const ref = parsed.tag === undefined && parsed.digest === undefined ? { ...parsed, tag: 'latest' } : parsed;
    const { registry, repo } = remoteName(ref);
    const session = new RegistrySession(this.ctx, registry, creds, RegistrySession.endpoints(this.ctx, registry).at(-1));
    const top = await fetchManifest(session, repo, ref.digest ?? ref.tag ?? 'latest', shownRef(ref));
    const Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length };
    if (isIndex(top)) {
      return { Descriptor, Platforms: top.json.manifests.filter((m) => m.platform).map((m) => ({ architecture: m.platform!.architecture ?? '', os: m.platform!.os ?? '', ...(m.platform!.variant ? { variant: m.platform!.variant } : {}) })) };
    }
    const cfg = JSON.parse((await fetchSmallBlob(session, repo, (top.json as ImageManifest).config)).toString('utf8')) as { architecture?: string; os?: string; variant?: string };
    return { Descriptor, Platforms: [{ architecture: cfg.architecture ?? '', os: cfg.os ?? '', ...(cfg.variant ? { variant: cfg.variant } : {}) }] };
  }

  /** GET /images/search: `term` may start with a registry (`127.0.0.1:5000/app`). */
  async search(term: string, limit: number, creds: Credentials): Promise<SearchResult[]> {
    if (!term) throw invalidArgument('the search term must not be empty');
    const first = term.split('/')[0];
    const hasRegistry = term.includes('/') && (/[.:]/.test(first) || first === 'localhost');
    const registry = hasRegistry ? first : DEFAULT_DOMAIN;
    const q = hasRegistry ? term.slice(first.length + 1) : term;
    const session = new RegistrySession(this.ctx, registry, creds, RegistrySession.endpoints(this.ctx, registry).at(-1));
    return await searchRegistry(session, q, limit, registry === DEFAULT_DOMAIN);
  }
}

