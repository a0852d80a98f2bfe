// A container whose record cannot be read at start-up is set aside, never deleted: its directory (record,
// writable layer, logs) moves as it is to <dataRoot>/containers-quarantine/<id>/ with a quarantine.json
// saying why. `GET /berth/system/check` (`berth system check`) lists what was set aside.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../util/atomic-file.js';
import { log } from '../../util/log.js';

export interface QuarantinedContainer {
  /** The container directory's name (its ID). */
  id: string;
  /** Why the record could not be used. */
  reason: string;
  /** Where the container's files are now. */
  dir: string;
  at: string;
}

const REASON_FILE = 'quarantine.json';
/** What create writes before the record; a directory holding only these (empty) is an interrupted create. */
const CREATE_SCAFFOLD = new Set(['hosts', 'hostname', 'resolv.conf', 'diff', 'work', 'merged']);

export function quarantineRoot(dataRoot: string): string { return join(dataRoot, 'containers-quarantine'); }

/** True when `dir` holds only what create writes before the record, with no file in the writable layer. */
export function isCreateScaffold(dir: string): boolean {
  for (const name of readdirSync(dir)) {
    if (isTempRecord(name)) continue;
    if (!CREATE_SCAFFOLD.has(name)) return false;
    const st = statSync(join(dir, name));
    if (st.isDirectory() && readdirSync(join(dir, name)).length > 0) return false;
  }
  return true;
}

/** Moves a container directory whose record is unreadable aside, with the reason next to it. */
export function quarantineContainer(dataRoot: string, id: string, dir: string, reason: string): QuarantinedContainer {
  const root = quarantineRoot(dataRoot);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  let target = join(root, id);
  for (let i = 1; existsSync(target) && i < 100; i++) target = join(root, `${id}.${i}`);
  renameSync(dir, target);
  const entry: QuarantinedContainer = { id, reason, dir: target, at: new Date().toISOString() };
  writeFileAtomicSync(join(target, REASON_FILE), JSON.stringify(entry));
  log.error('container record unreadable: set aside (quarantined), its files are kept', { ...entry });
  return entry;
}

/** Everything set aside so far (at this start-up and earlier ones). */
export function listQuarantined(dataRoot: string): QuarantinedContainer[] {
  const root = quarantineRoot(dataRoot);
  if (!existsSync(root)) return [];
  const out: QuarantinedContainer[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    // Our own small reason files, written above (host-owned, not container-controlled).
    try { out.push(JSON.parse(readFileSync(join(dir, REASON_FILE), 'utf8')) as QuarantinedContainer); } catch {
      out.push({ id: name, reason: 'reason file missing', dir, at: '' });
    }
  }
  return out;
}

function isTempRecord(name: string): boolean {
  return /^\.container\.json\..*\.tmp$/.test(name);
}

/** Temp files of saves cut short by a crash (never renamed over the record). */
export function sweepTempRecords(dir: string): void {
  for (const name of readdirSync(dir)) if (isTempRecord(name)) rmSync(join(dir, name), { force: true });
}
