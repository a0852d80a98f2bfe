// A throw-away root for the file steps (COPY, ADD, WORKDIR): the parent image's layers under a fresh
// upper dir, mounted for the time of the step; what ends up in the upper dir is the step's layer. No
// container is created for these steps (Docker's classic builder makes one; nothing runs in it).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { mountRootfs, unmountRootfs } from '../fs/overlay.js';
import { packDiff } from '../storage/tar-diff.js';
import { readdir } from 'node:fs/promises';

export class ScratchRoot {
  private mounted = false;
  private constructor(readonly dir: string, readonly merged: string, readonly upper: string) {}

  /** Mounts `lowers` (top-most first; may be empty for FROM scratch) with a fresh upper under `tmpRoot`. */
  static async open(tmpRoot: string, lowers: string[]): Promise<ScratchRoot> {
    const dir = join(tmpRoot, `step-${randomBytes(6).toString('hex')}`);
    const r = new ScratchRoot(dir, join(dir, 'merged'), join(dir, 'upper'));
    const empty = join(dir, 'empty');
    await Promise.all(['merged', 'upper', 'work', 'empty'].map((d) => mkdir(join(dir, d), { recursive: true, mode: 0o755 })));
    try {
      await mountRootfs({ lower: lowers.length ? lowers : [empty], upper: r.upper, work: join(dir, 'work'), merged: r.merged });
      r.mounted = true;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    return r;
  }

  /** Unmounts, then gives the layer tar of what changed (undefined when nothing did). */
  async finish(): Promise<Readable | undefined> {
    await this.unmount();
    if ((await readdir(this.upper)).length === 0) return undefined;
    return packDiff(this.upper);
  }

  private async unmount(): Promise<void> {
    if (!this.mounted) return;
    await unmountRootfs(this.merged);
    this.mounted = false;
  }

  async close(): Promise<void> {
    await this.unmount().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
