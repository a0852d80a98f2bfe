// rmi, tag, history.
import type { VerbSpec } from '../command.js';
import type { HistoryItem } from '../../client/types.js';
import { ellipsis, renderList, resolveFormat, truncateId } from '../format/formatter.js';
import { humanDuration, humanSize } from '../format/units.js';
import { eachItem, reportItems } from './bulk.js';
import { ExitError } from '../command.js';

export const rmiVerb: VerbSpec = {
  usage: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  summary: 'Remove one or more images',
  aliases: ['image rm', 'image remove', 'rmi'],
  flags: [
    { long: 'force', short: 'f', kind: 'bool', help: 'Force removal of the image' },
    { long: 'no-prune', kind: 'bool', help: 'Do not delete untagged parents' },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    const q = { force: flags.bool('force'), noprune: flags.bool('no-prune') };
    const reports = await eachItem(ctx, flags.args, async (ref) => {
      const items = await ctx.client().imageRemove(ref, q);
      return (items ?? []).map((d) => (d.Untagged ? `Untagged: ${d.Untagged}` : `Deleted: ${d.Deleted}`)).join('\n') || undefined;
    });
    return reportItems(ctx, reports);
  },
};

/** `repo[:tag]` with the tag after the last colon that follows the last slash (ports stay in the repo). */
export function splitRepoTag(ref: string): { repo: string; tag?: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref };
}

export const tagVerb: VerbSpec = {
  usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  aliases: ['image tag', 'tag'],
  flags: [],
  args: { exact: 2 },
  async run(ctx, flags) {
    const [source, target] = flags.args;
    const { repo, tag } = splitRepoTag(target);
    const path = repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0]) ? repo.slice(repo.indexOf('/') + 1) : repo;
    if (/[A-Z]/.test(path)) throw new ExitError(`invalid reference format: repository name (${path}) must be lowercase`, 1);
    await ctx.client().imageTag(source, repo, tag ?? 'latest');
    return 0;
  },
};

export const historyHeaders: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};

const rfc3339 = (unix: number) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class HistoryContext {
  constructor(private readonly h: HistoryItem, private readonly trunc: boolean, private readonly human: boolean, private readonly nowMs: number) {}
  get ID(): string { return this.trunc ? truncateId(this.h.Id) : this.h.Id; }
  get CreatedSince(): string { return this.human ? `${humanDuration(this.nowMs - this.h.Created * 1000)} ago` : rfc3339(this.h.Created); }
  get CreatedAt(): string { return rfc3339(this.h.Created); }
  get CreatedBy(): string { const s = (this.h.CreatedBy ?? '').replace(/\t/g, ' '); return this.trunc ? ellipsis(s, 45) : s; }
  get Size(): string { return this.human ? humanSize(this.h.Size, 3) : String(this.h.Size); }
  get Comment(): string { return this.h.Comment ?? ''; }
  toJSON(): Record<string, string> {
    return { Comment: this.Comment, CreatedAt: this.CreatedAt, CreatedBy: this.CreatedBy, CreatedSince: this.CreatedSince, ID: this.ID, Size: this.Size };
  }
}

export const historyVerb: VerbSpec = {
  usage: 'history [OPTIONS] IMAGE',
  summary: 'Show the history of an image',
  aliases: ['image history', 'history'],
  flags: [
    { long: 'format', kind: 'string', help: 'Format output using a custom template' },
    { long: 'human', short: 'H', kind: 'bool', help: 'Print sizes and dates in human readable format', defaultText: 'true' },
    { long: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only show image IDs' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const items = await ctx.client().imageHistory(flags.args[0]);
    const human = flags.has('human') ? flags.bool('human') : true;
    const resolved = resolveFormat(flags.string('format'), {
      defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}', quiet: '{{.ID}}', headers: historyHeaders,
    }, flags.bool('quiet'));
    const now = ctx.now();
    ctx.stdout.write(renderList(items.map((h) => new HistoryContext(h, !flags.bool('no-trunc'), human, now)), resolved, historyHeaders, { template: { typeName: '*image.historyContext' } }));
    return 0;
  },
};
