// userns-remap (dockerd's daemon option): which host ids a container's ids map to. `default` uses the
// `berth` user (created, with a subordinate range in /etc/subuid and /etc/subgid, when missing); `user`
// or `user:group` (names or numbers) use their ranges from /etc/subuid and /etc/subgid.
import { readFileSync } from 'node:fs';
import { invalidArgument } from '../../errors.js';
import { runCommand } from '../../util/run-command.js';

/** One OCI uid/gid mapping line: container ids [containerID, +size) are host ids [hostID, +size). */
export interface IdRange { containerID: number; hostID: number; size: number }

export interface IdMapping {
  /** As `docker info` names it: `user:group`. */
  remap: string;
  uids: IdRange[];
  gids: IdRange[];
}

export const DEFAULT_REMAP_USER = 'berth';
const DEFAULT_RANGE_SIZE = 65536;
const FIRST_RANGE_START = 100000;

interface Entry { name: string; id?: number }

function passwdLike(path: string): Array<{ name: string; id: number }> {
  let text = '';
  try { text = readFileSync(path, 'utf8'); } catch { return []; }
  return text.split('\n').map((l) => l.split(':')).filter((f) => f.length >= 3).map((f) => ({ name: f[0], id: Number(f[2]) }));
}

function lookup(path: string, what: string, v: string): Entry {
  const rows = passwdLike(path);
  const row = /^\d+$/.test(v) ? rows.find((r) => r.id === Number(v)) : rows.find((r) => r.name === v);
  if (!row) throw invalidArgument(`Error during ${what} lookup for "${v}": no such ${what}`);
  return row;
}

/** The ranges of /etc/subuid-like text for a user (by name or by numeric id). */
export function subordinateRanges(text: string, who: Entry): Array<{ start: number; count: number }> {
  const out: Array<{ start: number; count: number }> = [];
  for (const line of text.split('\n')) {
    const [name, start, count] = line.trim().split(':');
    if (!name || name.startsWith('#') || start === undefined || count === undefined) continue;
    if (name !== who.name && !(who.id !== undefined && name === String(who.id))) continue;
    out.push({ start: Number(start), count: Number(count) });
  }
  return out;
}

/** Ranges laid end to end from container id 0, as dockerd builds its mapping. */
export function toIdRanges(ranges: Array<{ start: number; count: number }>): IdRange[] {
  let next = 0;
  return [...ranges].sort((a, b) => a.start - b.start).map((r) => {
    const m = { containerID: next, hostID: r.start, size: r.count };
    next += r.count;
    return m;
  });
}

/** `user[:group]` split; `default` is the berth user and group. */
export function parseRemapSpec(spec: string): { user: string; group: string; isDefault: boolean } {
  if (!spec) throw invalidArgument('userns-remap: want default, USER or USER:GROUP');
  if (spec === 'default') return { user: DEFAULT_REMAP_USER, group: DEFAULT_REMAP_USER, isDefault: true };
  const [user, group, extra] = spec.split(':');
  if (!user || extra !== undefined || group === '') throw invalidArgument(`userns-remap: invalid value ${JSON.stringify(spec)}: want default, USER or USER:GROUP`);
  return { user, group: group ?? user, isDefault: false };
}

/** The first free range of `size` ids at or above 100000, beside every range of both files. */
export function freeRangeStart(texts: string[], size = DEFAULT_RANGE_SIZE): number {
  const used = texts.flatMap((t) => t.split('\n').map((l) => l.split(':')).filter((f) => f.length >= 3).map((f) => ({ start: Number(f[1]), end: Number(f[1]) + Number(f[2]) })));
  let start = FIRST_RANGE_START;
  for (;;) {
    const clash = used.find((u) => start < u.end && u.start < start + size);
    if (!clash) return start;
    start = clash.end;
  }
}

const read = (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };

/** `default`: the berth system user with one range of 65536 ids in /etc/subuid and /etc/subgid, made once. */
async function ensureDefaultUser(): Promise<void> {
  if (!passwdLike('/etc/passwd').some((r) => r.name === DEFAULT_REMAP_USER)) {
    await runCommand('useradd', ['--system', '--shell', '/bin/false', '--no-create-home', '--user-group', DEFAULT_REMAP_USER], { timeoutMs: 30_000 });
  }
  const who = { name: DEFAULT_REMAP_USER };
  const sub = [read('/etc/subuid'), read('/etc/subgid')];
  if (subordinateRanges(sub[0], who).length && subordinateRanges(sub[1], who).length) return;
  const start = freeRangeStart(sub);
  const range = `${start}-${start + DEFAULT_RANGE_SIZE - 1}`;
  await runCommand('usermod', ['--add-subuids', range, '--add-subgids', range, DEFAULT_REMAP_USER], { timeoutMs: 30_000 });
}

/** Resolves the daemon's userns-remap setting into the mappings every remapped container gets. */
export async function resolveRemap(spec: string): Promise<IdMapping> {
  const p = parseRemapSpec(spec);
  if (p.isDefault) await ensureDefaultUser();
  const user = lookup('/etc/passwd', 'user', p.user);
  const group = lookup('/etc/group', 'group', p.group);
  const uids = subordinateRanges(read('/etc/subuid'), user);
  const gids = subordinateRanges(read('/etc/subgid'), { name: group.name, id: group.id });
  if (!uids.length) throw invalidArgument(`userns-remap: no subuid ranges found for user "${user.name}" in /etc/subuid`);
  if (!gids.length) throw invalidArgument(`userns-remap: no subgid ranges found for group "${group.name}" in /etc/subgid`);
  return { remap: `${user.name}:${group.name}`, uids: toIdRanges(uids), gids: toIdRanges(gids) };
}

/** The host ids of the container's root. */
export function remappedRoot(m: IdMapping): { uid: number; gid: number } {
  return { uid: m.uids[0].hostID, gid: m.gids[0].hostID };
}

/** A container id as the host sees it (undefined when unmapped). */
export function toHost(ranges: IdRange[], id: number): number | undefined {
  const r = ranges.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return r ? r.hostID + (id - r.containerID) : undefined;
}

/**
 * The remapped root must reach the container roots under `dir`: dockerd refuses a root path with a
 * directory closed to others, and so does Berth (with dockerd's wording), rather than chmod the user's dirs.
 */
export function checkTraversable(dir: string, statOf: (p: string) => { mode: number; uid: number; gid: number } | undefined, owner: { uid: number; gid: number }): void {
  let cur = dir;
  while (cur && cur !== '/') {
    const st = statOf(cur);
    if (st) {
      const bit = st.uid === owner.uid ? 0o100 : st.gid === owner.gid ? 0o010 : 0o001;
      if (!(st.mode & bit)) throw invalidArgument(`a subdirectory in your exec-root path (${dir}) restricts access to the remapped root uid/gid; please fix by allowing 'o+x' permissions on existing directories`);
    }
    cur = cur.slice(0, cur.lastIndexOf('/')) || '/';
  }
}

/** A host id as the container sees it (the overflow id 65534 when unmapped, as the kernel shows it). */
export function fromHost(ranges: IdRange[], id: number): number {
  const r = ranges.find((x) => id >= x.hostID && id < x.hostID + x.size);
  return r ? r.containerID + (id - r.hostID) : 65534;
}
