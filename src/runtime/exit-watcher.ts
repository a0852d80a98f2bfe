// Watches conmon's exit directory (inotify via fs.watch, no polling): when <exitDir>/<id> appears,
// the container has exited and the file holds its exit code.
import { watch, type FSWatcher, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ExitInfo { exitCode: number; finishedAt: Date }

export class ExitWatcher {
  private watcher?: FSWatcher;
  private readonly handlers = new Map<string, (info: ExitInfo) => void>();

  constructor(readonly dir: string) {}

  open(): void {
    this.watcher = watch(this.dir, (_event, filename) => {
      if (filename) this.check(String(filename));
    });
    this.watcher.unref();
  }

  close(): void { this.watcher?.close(); }

  /** Reads an exit file if it is there (conmon writes it complete via rename). */
  read(id: string): ExitInfo | undefined {
    try {
      const path = join(this.dir, id);
      const text = readFileSync(path, 'utf8').trim();
      if (text === '') return undefined;
      return { exitCode: Number(text), finishedAt: statSync(path).mtime };
    } catch { return undefined; }
  }

  /** Calls `handler` once when the container exits (at once if it already has). */
  on(id: string, handler: (info: ExitInfo) => void): void {
    this.handlers.set(id, handler);
    this.check(id);
  }

  off(id: string): void { this.handlers.delete(id); }

  private check(id: string): void {
    const handler = this.handlers.get(id);
    if (!handler) return;
    const info = this.read(id);
    if (!info) return;
    this.handlers.delete(id);
    handler(info);
  }
}
