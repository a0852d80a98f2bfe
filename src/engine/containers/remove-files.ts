// The files of a removed container: renamed into the trash dirs, which is what makes the removal final
// (the record is gone from the containers dir); deleting the bytes runs in the background, off the path
// of `run --rm`, which waits for the removal.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { log } from '../../util/log.js';
import type { ContainerPaths } from './paths.js';

export async function removeContainerFiles(paths: ContainerPaths, id: string): Promise<void> {
  const moveAway = (from: string, to: string) => rename(from, to).then(() => to, () => rm(from, { recursive: true, force: true }).then(() => undefined));
  const [movedData, movedExec] = await Promise.all([
    moveAway(paths.dir(id), join(paths.trashDir, id)),
    moveAway(paths.bundle(id), join(paths.execTrashDir, id)),
    rm(paths.exitFile(id), { force: true }),
  ]);
  for (const dir of [movedData, movedExec]) {
    if (dir) void rm(dir, { recursive: true, force: true }).catch((err) => log.warn('deleting removed container files failed', { dir, err: errorMessage(err) }));
  }
}
