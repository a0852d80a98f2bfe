// `docker load`: imports a spooled archive in either format a `docker save` may produce: the legacy
// manifest.json (Config + Layers + RepoTags) or an OCI image layout (index.json → manifests → blobs).
// Layers are verified against the config's diff_ids; the config bytes are stored as-is, so IDs survive.
import { invalidArgument } from '../errors.js';
import { chainIds } from '../storage/digest.js';
import { shortId } from '../util/ids.js';
import type { ImageBackend } from './image-backend.js';
import { TarSpool } from './tar-spool.js';
import { CountingStream, progressMessage, type ProgressMessage } from './progress.js';
import { normalizeTagged, parseReference, familiarString } from './reference.js';
import { goArch } from './busybox-seed.js';
import type { ImageConfigJson } from '../model/image.js';
import { MEDIA_OCI_INDEX } from './image-save.js';

interface LegacyEntry { Config: string; RepoTags?: string[] | null; Layers: string[] }

interface Descriptor { mediaType?: string; digest: string; size?: number; annotations?: Record<string, string>; platform?: { architecture?: string; os?: string } }
interface OciIndex { manifests?: Descriptor[] }
interface OciManifest { mediaType?: string; config: Descriptor; layers: Descriptor[]; manifests?: Descriptor[] }

/** One image to import: where its config and layers are in the archive, and the tags it brings. */
interface Plan { config: string; layers: string[]; tags: string[] }

function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  if (!alg || !hex || !/^[a-z0-9]+$/.test(alg) || !/^[a-f0-9]+$/.test(hex)) throw invalidArgument(`invalid digest ${digest} in archive`);
  return `blobs/${alg}/${hex}`;
}

/** Tag from an OCI descriptor's annotations (containerd's full name first, then a full ref.name). */
function tagOf(d: Descriptor): string | undefined {
  const a = d.annotations ?? {};
  for (const v of [a['io.containerd.image.name'], a['org.opencontainers.image.ref.name']]) {
    if (!v || !/[:/]/.test(v)) continue;
    try { const r = parseReference(v); if (r.tag) return familiarString({ name: r.name, tag: r.tag }); } catch { /* not a reference */ }
  }
  return undefined;
}

async function ociPlans(spool: TarSpool): Promise<Plan[]> {
  const index = await spool.readJson<OciIndex>('index.json');
  const plans: Plan[] = [];
  const visit = async (d: Descriptor, tag: string | undefined, depth: number): Promise<void> => {
    if (depth > 4) throw invalidArgument('index nesting too deep');
    const m = await spool.readJson<OciManifest>(blobPath(d.digest));
    if (d.mediaType === MEDIA_OCI_INDEX || d.mediaType?.includes('manifest.list') || Array.isArray(m.manifests)) {
      const subs = m.manifests ?? [];
      const pick = subs.find((s) => s.platform?.os === 'linux' && s.platform.architecture === goArch()) ?? subs.find((s) => !s.platform) ?? subs[0];
      if (!pick) throw invalidArgument(`empty index ${d.digest}`);
      return visit(pick, tag, depth + 1);
    }
    const existing = plans.find((p) => p.config === blobPath(m.config.digest));
    if (existing) { if (tag && !existing.tags.includes(tag)) existing.tags.push(tag); return; }
    plans.push({ config: blobPath(m.config.digest), layers: m.layers.map((l) => blobPath(l.digest)), tags: tag ? [tag] : [] });
  };
  for (const d of index.manifests ?? []) await visit(d, tagOf(d), 0);
  return plans;
}

async function legacyPlans(spool: TarSpool): Promise<Plan[]> {
  const entries = await spool.readJson<LegacyEntry[]>('manifest.json');
  if (!Array.isArray(entries)) throw invalidArgument('invalid manifest.json');
  return entries.map((e) => ({ config: e.Config, layers: e.Layers ?? [], tags: (e.RepoTags ?? []).map((t) => normalizeTagged(t)) }));
}

/** Imports every image in the spool; `emit` gets Docker's progress and "Loaded image" messages. */
export async function loadFromSpool(svc: ImageBackend, spool: TarSpool, quiet: boolean, emit: (m: ProgressMessage) => void): Promise<string[]> {
  const plans = (await spool.exists('manifest.json')) ? await legacyPlans(spool)
    : (await spool.exists('index.json')) ? await ociPlans(spool)
    : (() => { throw invalidArgument('unrecognized image archive: no manifest.json or index.json'); })();
  const loaded: string[] = [];
  const lease = svc.lease();
  try {
    for (const plan of plans) loaded.push(await loadOne(svc, spool, plan, quiet, emit, lease));
  } finally {
    lease.release();
  }
  return loaded;
}

async function loadOne(svc: ImageBackend, spool: TarSpool, plan: Plan, quiet: boolean, emit: (m: ProgressMessage) => void, lease: { add: (...d: string[]) => void }): Promise<string> {
  {
    const configBytes = await spool.read(plan.config);
    let config: ImageConfigJson;
    try { config = JSON.parse(configBytes.toString('utf8')) as ImageConfigJson; } catch { throw invalidArgument(`invalid image config ${plan.config}`); }
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== plan.layers.length) throw invalidArgument(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${plan.layers.length}`);
    const chains = chainIds(diffIds);
    const layers = [];
    let parent: string | null = null;
    for (let i = 0; i < plan.layers.length; i++) {
      lease.add(chains[i], diffIds[i]);
      if (svc.layers.has(chains[i])) { layers.push(await svc.layers.info(chains[i])); parent = chains[i]; continue; }
      const total = await spool.size(plan.layers[i]);
      const id = shortId(chains[i]);
      const report = (n: number) => { if (!quiet) emit(progressMessage('Loading layer', id, n, total)); };
      const file = spool.openRead(plan.layers[i]);
      const counted = file.pipe(new CountingStream(report));
      file.on('error', (err) => counted.destroy(err));
      const info = await svc.layers.add(parent, counted, diffIds[i]);
      layers.push(info);
      parent = info.chainId;
    }
    const rec = await svc.commitImage(configBytes, layers);
    for (const tag of plan.tags) {
      const previous = svc.store.refTarget(tag);
      if (previous && previous !== rec.id) {
        emit({ stream: `The image ${tag} already exists, renaming the old one with ID ${previous} to empty string\n` });
      }
      await svc.setTag(tag, rec.id);
      emit({ stream: `Loaded image: ${tag}\n` });
      svc.publish('load', rec.id, tag);
    }
    if (plan.tags.length === 0) {
      emit({ stream: `Loaded image ID: ${rec.id}\n` });
      svc.publish('load', rec.id, rec.id);
    }
    return rec.id;
  }
}
