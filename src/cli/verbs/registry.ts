// pull, push, login, logout, search: the registry verbs. Credentials come from the docker CLI's
// config.json (shared with it) and travel as X-Registry-Auth; progress is drawn as docker draws it,
// plus a total line on terminals.
import { createInterface } from 'node:readline';
import type { CliContext, VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { DaemonError } from '../../client/errors.js';
import type { ApiResponse } from '../../client/transport.js';
import type { JsonMessage } from '../../client/types.js';
import { loadCredentials, registryAuthHeader, registryKey, registryOfImage, removeCredentials, saveCredentials, HUB_KEY } from '../credentials.js';

async function drawProgress(ctx: CliContext, res: ApiResponse, quiet: boolean): Promise<JsonMessage[]> {
  const { ProgressRenderer, JsonMessageError } = await import('../format/progress.js');
  const { TransferTotal } = await import('../format/transfer-total.js');
  const { jsonLines } = await import('../../client/transport.js');
  const terminal = !!ctx.stdout.isTTY;
  const renderer = new ProgressRenderer({ write: (s) => { if (!quiet) ctx.stdout.write(s); }, isTerminal: terminal, width: ctx.stdout.columns ?? 80 });
  const total = new TransferTotal(renderer, terminal && !quiet);
  const seen: JsonMessage[] = [];
  try {
    for await (const m of jsonLines<JsonMessage>(res)) { seen.push(m); total.push(m); }
  } catch (err) {
    if (err instanceof JsonMessageError) throw new ExitError(err.message, 1);
    throw err;
  }
  const summary = total.summary();
  if (summary) ctx.stdout.write(summary);
  return seen;
}

function splitTag(ref: string): { name: string; tag?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { name: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { name: ref };
}

function daemonError(err: unknown): never {
  if (err instanceof DaemonError) throw new ExitError(`Error response from daemon: ${err.daemonMessage}`, 1);
  throw err;
}

export const pullVerb: VerbSpec = {
  usage: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  summary: 'Download an image from a registry',
  aliases: ['image pull', 'pull'],
  flags: [
    { long: 'all-tags', short: 'a', kind: 'bool', help: 'Download all tagged images in the repository' },
    { long: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Suppress verbose output' },
    { long: 'disable-content-trust', kind: 'bool', help: 'Skip image verification', defaultText: 'true' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    if (flags.bool('all-tags')) throw new ExitError('berth pull: --all-tags is not supported; pull each tag', 1);
    const ref = flags.args[0];
    let { name, tag } = splitTag(ref);
    if (tag === undefined) { tag = 'latest'; if (!flags.bool('quiet')) ctx.stdout.write('Using default tag: latest\n'); }
    const auth = registryAuthHeader(ctx.env, registryOfImage(name));
    const res = await ctx.client().imagePull(name, tag, { platform: flags.string('platform'), auth }).catch(daemonError);
    await drawProgress(ctx, res, flags.bool('quiet'));
    const shown = ref.includes('@') || ref.includes(':') && ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref : `${ref}:latest`;
    const full = registryOfImage(name) === HUB_KEY && !name.startsWith('docker.io/') ? `docker.io/${name.includes('/') ? '' : 'library/'}${shown}` : shown;
    ctx.stdout.write(`${full}\n`);
    return 0;
  },
};

export const pushVerb: VerbSpec = {
  usage: 'push [OPTIONS] NAME[:TAG]',
  summary: 'Upload an image to a registry',
  aliases: ['image push', 'push'],
  flags: [
    { long: 'all-tags', short: 'a', kind: 'bool', help: 'Push all tags of an image to the repository' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Suppress verbose output' },
    { long: 'disable-content-trust', kind: 'bool', help: 'Skip image signing', defaultText: 'true' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const ref = flags.args[0];
    let { name, tag } = splitTag(ref);
    if (tag?.includes(':')) throw new ExitError(`invalid reference format: cannot push a digest reference`, 1);
    if (tag === undefined && !flags.bool('all-tags')) { tag = 'latest'; if (!flags.bool('quiet')) ctx.stdout.write('Using default tag: latest\n'); }
    const auth = registryAuthHeader(ctx.env, registryOfImage(name));
    const res = await ctx.client().imagePush(name, tag, auth).catch(daemonError);
    const seen = await drawProgress(ctx, res, flags.bool('quiet'));
    if (flags.bool('quiet')) ctx.stdout.write(`${ref}\n`);
    void seen;
    return 0;
  },
};

async function prompt(ctx: CliContext, question: string): Promise<string> {
  ctx.stderr.write(question);
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  try {
    for await (const line of rl) return line.trim();
    return '';
  } finally { rl.close(); }
}

async function readAllStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const loginVerb: VerbSpec = {
  usage: 'login [OPTIONS] [SERVER]',
  summary: 'Authenticate to a registry',
  aliases: ['login'],
  flags: [
    { long: 'username', short: 'u', kind: 'string', help: 'Username' },
    { long: 'password', short: 'p', kind: 'string', help: 'Password or Personal Access Token (PAT)' },
    { long: 'password-stdin', kind: 'bool', help: 'Take the Password or Personal Access Token (PAT) from stdin' },
  ],
  args: { max: 1 },
  async run(ctx, flags) {
    const server = flags.args[0] ?? HUB_KEY;
    let username = flags.string('username');
    let password = flags.string('password');
    if (flags.bool('password-stdin')) {
      if (password !== undefined) throw new ExitError('--password and --password-stdin are mutually exclusive', 1);
      if (!username) throw new ExitError('Must provide --username with --password-stdin', 1);
      password = await readAllStdin(ctx);
    } else if (password !== undefined) {
      ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    const stored = loadCredentials(ctx.env, server);
    if (username === undefined && password === undefined && stored) { username = stored.username; password = stored.password; }
    if (username === undefined) username = await prompt(ctx, 'Username: ');
    if (!username) throw new ExitError('Error: Non-null Username Required', 1);
    if (password === undefined) password = await prompt(ctx, 'Password: ');
    if (!password) throw new ExitError('Error: Password Required', 1);
    const res = await ctx.client().login({ username, password, serveraddress: registryKey(server) }).catch(daemonError);
    saveCredentials(ctx.env, { username, password, serveraddress: server, identitytoken: res.IdentityToken || undefined });
    ctx.stdout.write(`${res.Status || 'Login Succeeded'}\n`);
    return 0;
  },
};

export const logoutVerb: VerbSpec = {
  usage: 'logout [SERVER]',
  summary: 'Log out from a registry',
  aliases: ['logout'],
  flags: [],
  args: { max: 1 },
  async run(ctx, flags) {
    const server = flags.args[0] ?? HUB_KEY;
    const key = registryKey(server);
    if (!removeCredentials(ctx.env, server)) { ctx.stdout.write(`Not logged in to ${key}\n`); return 0; }
    ctx.stdout.write(`Removing login credentials for ${key}\n`);
    return 0;
  },
};

export const searchVerb: VerbSpec = {
  usage: 'search [OPTIONS] TERM',
  summary: 'Search Docker Hub for images',
  aliases: ['search'],
  flags: [
    { long: 'filter', short: 'f', kind: 'list', help: 'Filter output based on conditions provided' },
    { long: 'format', kind: 'string', help: 'Pretty-print search using a Go template' },
    { long: 'limit', kind: 'string', help: 'Max number of search results' },
    { long: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const term = flags.args[0];
    const filters: Record<string, string[]> = {};
    for (const f of flags.list('filter')) {
      const i = f.indexOf('=');
      if (i < 0) throw new ExitError(`bad format of filter (expected name=value)`, 1);
      (filters[f.slice(0, i)] ??= []).push(f.slice(i + 1));
    }
    const limitText = flags.string('limit');
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && !Number.isInteger(limit)) throw new ExitError(`invalid argument "${limitText}" for "--limit" flag: strconv.ParseInt: parsing "${limitText}": invalid syntax`, 125);
    const results = await ctx.client().imageSearch(term, limit, filters, registryAuthHeader(ctx.env, registryOfImage(term))).catch(daemonError);
    const { renderList, resolveFormat } = await import('../format/formatter.js');
    const headers = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL' };
    const trunc = !flags.bool('no-trunc');
    const rows = results.map((r) => ({
      Name: r.name,
      Description: trunc && r.description.length > 45 ? r.description.slice(0, 44) + '…' : r.description,
      StarCount: String(r.star_count),
      IsOfficial: r.is_official ? '[OK]' : '',
      toJSON() { return { Name: this.Name, Description: this.Description, StarCount: this.StarCount, IsOfficial: this.IsOfficial }; },
    }));
    const resolved = resolveFormat(flags.string('format'), { defaultTable: 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}', quiet: '{{.Name}}', headers }, false);
    ctx.stdout.write(renderList(rows, resolved, headers, { template: { typeName: 'search.searchContext' } }));
    return 0;
  },
};
