// docker compose's progress lines in plain mode (` Container app-web-1  Started`), written as events
// happen. Docker draws a live tree on a terminal; these lines are what it prints when output is piped,
// and what tests and people grep.
import type { Writable } from 'node:stream';

export type ResourceKind = 'Network' | 'Volume' | 'Container' | 'Image' | 'Service';

export class Progress {
  constructor(private readonly out: Writable, private readonly quiet = false) {}

  event(kind: ResourceKind, name: string, status: string, detail = ''): void {
    if (this.quiet) return;
    const shown = name;
    this.out.write(` ${kind} ${shown}  ${status}${detail ? ` ${detail}` : ''}\n`);
  }

  warn(message: string): void {
    this.out.write(`WARN[0000] ${message}\n`);
  }

  /** Raw text (build output). */
  text(s: string): void {
    if (!this.quiet) this.out.write(s);
  }
}
