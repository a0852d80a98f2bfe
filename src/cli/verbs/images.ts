// `berth images` / `berth image ls`: docker 28's classic table, one row per repository:tag (and per
// digest with --digests), `<none>` for dangling images.
import type { VerbSpec } from '../command.js';
import type { ImageSummary } from '../../client/types.js';
import { goTimeString, renderList, resolveFormat, truncateId } from '../format/formatter.js';
import { humanDuration, humanSize } from '../format/units.js';
import { parseFilterFlags } from './filters.js';

export const imageHeaders: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

export class ImageContext {
  constructor(private readonly i: ImageSummary, readonly Repository: string, readonly Tag: string, readonly Digest: string, private readonly trunc: boolean, private readonly nowMs: number) {}
  get ID(): string { return this.trunc ? truncateId(this.i.Id) : this.i.Id; }
  get CreatedSince(): string { return this.i.Created ? `${humanDuration(this.nowMs - this.i.Created * 1000)} ago` : 'N/A'; }
  get CreatedAt(): string { return goTimeString(this.i.Created); }
  get Size(): string { return humanSize(this.i.Size, 3); }
  get Containers(): string { return this.i.Containers === undefined || this.i.Containers < 0 ? 'N/A' : String(this.i.Containers); }
  get VirtualSize(): string { return humanSize(this.i.VirtualSize ?? this.i.Size); }
  get SharedSize(): string { return this.i.SharedSize === undefined || this.i.SharedSize < 0 ? 'N/A' : humanSize(this.i.SharedSize, 3); }
  get UniqueSize(): string { return this.i.SharedSize === undefined || this.i.SharedSize < 0 ? 'N/A' : humanSize(this.i.Size - this.i.SharedSize, 3); }
  toJSON(): Record<string, string> {
    return {
      Containers: this.Containers, CreatedAt: this.CreatedAt, CreatedSince: this.CreatedSince, Digest: this.Digest, ID: this.ID,
      Repository: this.Repository, SharedSize: this.SharedSize, Size: this.Size, Tag: this.Tag, UniqueSize: this.UniqueSize, VirtualSize: this.VirtualSize,
    };
  }
}

/** `docker.io/library/busybox` → `busybox`, `docker.io/x/y` → `x/y` (reference.FamiliarName). */
export function familiarName(name: string): string {
  let n = name;
  if (n.startsWith('docker.io/')) n = n.slice('docker.io/'.length);
  if (n.startsWith('index.docker.io/')) n = n.slice('index.docker.io/'.length);
  if (n.startsWith('library/') && n.split('/').length === 2) n = n.slice('library/'.length);
  return n;
}

function splitTag(ref: string): [string, string] | undefined {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (ref.includes('@') || colon <= slash) return undefined;
  return [familiarName(ref.slice(0, colon)), ref.slice(colon + 1)];
}

/** formatter.imageFormatTaggedAndDigest plus the dangling case. */
export function imageRows(image: ImageSummary, digests: boolean, trunc: boolean, now: number): ImageContext[] {
  const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  const dgs = (image.RepoDigests ?? []).filter((d) => d !== '<none>@<none>');
  if (tags.length === 0 && dgs.length === 0) return [new ImageContext(image, '<none>', '<none>', '<none>', trunc, now)];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const t of tags) { const s = splitTag(t); if (s) repoTags.set(s[0], [...(repoTags.get(s[0]) ?? []), s[1]]); }
  for (const d of dgs) {
    const at = d.indexOf('@');
    if (at < 0) continue;
    const repo = familiarName(d.slice(0, at));
    repoDigests.set(repo, [...(repoDigests.get(repo) ?? []), d.slice(at + 1)]);
  }
  const rows: ImageContext[] = [];
  for (const [repo, repoTagList] of repoTags) {
    const ds = digests ? repoDigests.get(repo) ?? [] : [];
    repoDigests.delete(repo);
    for (const tag of repoTagList) {
      if (!ds.length) rows.push(new ImageContext(image, repo, tag, '<none>', trunc, now));
      else for (const d of ds) rows.push(new ImageContext(image, repo, tag, d, trunc, now));
    }
  }
  for (const [repo, ds] of repoDigests) {
    if (digests) for (const d of ds) rows.push(new ImageContext(image, repo, '<none>', d, trunc, now));
    else rows.push(new ImageContext(image, repo, '<none>', '', trunc, now));
  }
  return rows;
}

const IMAGES_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const IMAGES_TABLE_DIGESTS = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

function makeImagesVerb(usage: string, aliases: string[]): VerbSpec {
  return {
    usage,
    summary: 'List images',
    aliases,
    flags: [
      { long: 'all', short: 'a', kind: 'bool', help: 'Show all images (default hides intermediate images)' },
      { long: 'digests', kind: 'bool', help: 'Show digests' },
      { long: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Filter output based on conditions provided' },
      { long: 'format', kind: 'string', help: 'Format output using a custom template' },
      { long: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
      { long: 'quiet', short: 'q', kind: 'bool', help: 'Only show image IDs' },
    ],
    args: { max: 1 },
    async run(ctx, flags) {
      const filters = parseFilterFlags(flags.list('filter'));
      if (flags.args[0]) (filters.reference ??= []).push(flags.args[0]);
      const images = await ctx.client().imageList({ all: flags.bool('all'), filters });
      const digests = flags.bool('digests');
      const format = flags.string('format');
      const trunc = !flags.bool('no-trunc');
      const now = ctx.now();
      const quiet = flags.bool('quiet');
      const resolved = resolveFormat(format, { defaultTable: digests ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE, quiet: '{{.ID}}', headers: imageHeaders }, quiet);
      const showDigests = digests || (!!format && format.includes('.Digest'));
      let rows = images.flatMap((img) => imageRows(img, showDigests, trunc, now));
      if (quiet && (!format || format === 'table')) {
        // -q lists each image once.
        const seen = new Set<string>();
        rows = rows.filter((r) => (seen.has(r.ID) ? false : (seen.add(r.ID), true)));
      }
      ctx.stdout.write(renderList(rows, resolved, imageHeaders, { template: { typeName: '*formatter.imageContext' } }));
      return 0;
    },
  };
}

export const imagesVerb = makeImagesVerb('images [OPTIONS] [REPOSITORY[:TAG]]', ['image ls', 'image list', 'images']);
export const imageLsVerb = makeImagesVerb('ls [OPTIONS] [REPOSITORY[:TAG]]', ['image ls', 'image list', 'images']);
