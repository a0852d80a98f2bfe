// Start-up of the container service after berthd (re)starts: its directories, the background sweep of
// files left by removals just before a crash, and reconciling each stored container with what conmon
// and the runtime report (containers outlive berthd).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { releaseRunMounts } from './run-mounts.js';
import type { ExitInfo, ExitWatcher } from '../../runtime/exit-watcher.js';
import { log } from '../../util/log.js';
import type { ContainerRecord } from '../../model/container.js';
import type { ContainerPaths } from './paths.js';

/** The steps of the life cycle recovery drives (the container service's own). */
export interface RecoverySteps {
  paths: ContainerPaths;
  exits: ExitWatcher;
  handleExit(rec: ContainerRecord, info: ExitInfo): Promise<void>;
  watchExit(rec: ContainerRecord): void;
  cleanupRun(rec: ContainerRecord): Promise<void>;
  destroy(rec: ContainerRecord): Promise<void>;
}

export async function prepareDirs(p: ContainerPaths): Promise<void> {
  await Promise.all([p.containersDir, p.exitDir, p.socketDir, p.runtimeRoot, join(p.execRoot, 'containers'), p.trashDir, p.execTrashDir].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
  // Files of containers removed just before a crash are deleted in the background, off the start-up path.
  for (const dir of [p.trashDir, p.execTrashDir]) {
    void readdir(dir).then((names) => Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true }))))
      .catch((err) => log.warn('sweeping removed container files failed', { dir, err: errorMessage(err) }));
  }
}

/** Brings one stored container in line with reality: finished removals, missed exits, lost monitors. */
export async function recoverContainer(s: RecoverySteps, rec: ContainerRecord): Promise<void> {
  if (rec.RemovalInProgress) { await s.destroy(rec); return; }
  const status = rec.State.Status;
  if (status === 'running' || status === 'paused' || status === 'restarting') {
    const exited = s.exits.read(rec.Id);
    if (exited) { await s.handleExit(rec, exited); return; }
    if (conmonAlive(s.paths, rec.Id)) { s.watchExit(rec); return; }
    log.warn('container monitor is gone; marking exited', { id: rec.Id });
    await s.handleExit(rec, { exitCode: 255, finishedAt: new Date() });
    return;
  }
  // A start interrupted half-way may have left runtime state or a mount behind.
  if (existsSync(join(s.paths.runtimeRootFor(rec.Runtime), rec.Id))) await s.cleanupRun(rec);
  else await releaseRunMounts(s.paths, rec.Id).catch(() => undefined);
}

/** Our own pid file and /proc (not the container's files): small, host-owned reads. */
function conmonAlive(paths: ContainerPaths, id: string): boolean {
  try {
    const pid = Number(readFileSync(paths.conmonPidFile(id), 'utf8').trim());
    if (!pid) return false;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'conmon';
  } catch { return false; }
}
