// Resolves Docker's `User` ("name", "uid", "name:group", "uid:gid") against the image's /etc/passwd and
// /etc/group, as runc does not: the OCI spec wants numbers. Supplementary groups come from /etc/group.
import { invalidArgument } from '../errors.js';
import { readUserDbInRoot } from '../fs/read-regular.js';

export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string }

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'))
    .filter((f) => f.length >= 4).map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'))
    .filter((f) => f.length >= 3).map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const isNumeric = (s: string) => /^\d+$/.test(s);

/** Pure resolution from file contents (unit-tested); `resolveUser` reads them from a rootfs. */
export function resolveUserFrom(user: string | undefined, passwdText: string, groupText: string): ResolvedUser {
  const spec = (user ?? '').trim() || '0';
  const [userPart, groupPart] = spec.split(':', 2);
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  let entry: PasswdEntry | undefined;
  let uid: number;
  let gid: number;
  if (isNumeric(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((p) => p.uid === uid);
    gid = entry?.gid ?? 0;
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw invalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
    gid = entry.gid;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw invalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  // Supplementary groups only when the user is named in /etc/group and no group was forced.
  const additionalGids = entry && (groupPart === undefined || groupPart === '')
    ? groups.filter((g) => g.members.includes(entry!.name) && g.gid !== gid).map((g) => g.gid)
    : [];
  return { uid, gid, additionalGids, home: entry?.home ?? '/' };
}

/**
 * Same, with the files read through `read` (e.g. from image layers that are not mounted). The files belong
 * to the container: `read` must be asynchronous and refuse FIFOs, devices and huge files (src/fs/), by
 * throwing: runc opens the same files in the container, so "unusable" must stop the start, not read as absent.
 */
export async function resolveUserWith(read: (path: string) => Promise<string | undefined>, user: string | undefined): Promise<ResolvedUser> {
  const spec = (user ?? '').trim();
  const [userPart, groupPart] = (spec || '0').split(':', 2);
  const named = (what: string, err: unknown): never => {
    throw invalidArgument(`unable to find ${what}: ${(err as Error).message}`);
  };
  const [passwd, group] = await Promise.all([
    read('/etc/passwd').catch((e: unknown) => named(`user ${userPart}`, e)),
    read('/etc/group').catch((e: unknown) => named(`group ${groupPart || userPart}`, e)),
  ]);
  return resolveUserFrom(spec, passwd ?? '', group ?? '');
}

/** Same, reading the files inside a mounted root (symlinks kept inside it, src/fs/read-regular.ts). */
export async function resolveUser(rootfs: string, user: string | undefined): Promise<ResolvedUser> {
  return await resolveUserWith((p) => readUserDbInRoot(rootfs, p), user);
}
