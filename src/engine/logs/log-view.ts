// A container's log as one byte stream across its rotated files (`<log>.N` ... `<log>.1`, then the live
// `<log>`), so `logs` (tail, since) reads across rotations; while following, a rotation is noticed by
// the live file's inode changing, and the new file is appended after the bytes of the old one.
import { open, stat, type FileHandle } from 'node:fs/promises';

interface Part { fh: FileHandle; start: number; ino: number; /** Fixed once the file is no longer live. */ size?: number }

export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

export class LogView {
  private constructor(private readonly path: string, private readonly parts: Part[]) {}

  /** Opens the rotated files that exist (oldest first) and the live file (created if missing, for inotify). */
  static async open(path: string, maxFile = 1): Promise<LogView> {
    const parts: Part[] = [];
    let start = 0;
    for (let n = maxFile - 1; n >= 1; n--) {
      let fh: FileHandle;
      try { fh = await open(rotatedPath(path, n), 'r'); } catch { continue; }
      const st = await fh.stat();
      parts.push({ fh, start, ino: st.ino, size: st.size });
      start += st.size;
    }
    const fh = await open(path, 'a+');
    parts.push({ fh, start, ino: (await fh.stat()).ino });
    return new LogView(path, parts);
  }

  private get live(): Part { return this.parts[this.parts.length - 1]; }

  async size(): Promise<number> {
    return this.live.start + (await this.live.fh.stat()).size;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    for (const p of this.parts) {
      if (p.size !== undefined && position >= p.start + p.size) continue;
      const limit = p.size !== undefined ? Math.min(length, p.start + p.size - position) : length;
      const { bytesRead } = await p.fh.read(buffer, offset, limit, position - p.start);
      return { bytesRead };
    }
    return { bytesRead: 0 };
  }

  /** After a rotation the live path is a new file: the old one's bytes stay readable before it. */
  async refresh(): Promise<void> {
    let ino: number;
    try { ino = (await stat(this.path)).ino; } catch { return; }
    if (ino === this.live.ino) return;
    const old = this.live;
    old.size = (await old.fh.stat()).size;
    const fh = await open(this.path, 'r');
    this.parts.push({ fh, start: old.start + old.size, ino: (await fh.stat()).ino });
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.fh.close().catch(() => undefined)));
  }
}
