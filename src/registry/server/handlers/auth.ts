// Basic authentication against an Apache htpasswd file with bcrypt entries (`user:$2y$...`), as distribution's
// htpasswd access controller. bcrypt is slow by design and clients send credentials on every request, so a
// verified pair is remembered (by its sha256, never in clear) until the file changes.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { RegistryError } from '../errors.js';
import { invalidArgument } from '../../../errors.js';

export const DEFAULT_REALM = 'Berth Registry';

export class Htpasswd {
  private entries = new Map<string, string>();
  private verified = new Set<string>();
  private mtimeMs = -1;

  constructor(private readonly path: string, readonly realm = DEFAULT_REALM) {
    this.reload();
  }

  private reload(): void {
    let mtimeMs: number;
    try { mtimeMs = statSync(this.path).mtimeMs; } catch { throw invalidArgument(`htpasswd file ${this.path} cannot be read`); }
    if (mtimeMs === this.mtimeMs) return;
    const entries = new Map<string, string>();
    for (const raw of readFileSync(this.path, 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const i = line.indexOf(':');
      if (i <= 0) continue;
      const hash = line.slice(i + 1);
      // Only bcrypt is safe to accept; other schemes (crypt, MD5, SHA1) are ignored, as distribution does.
      if (/^\$2[aby]\$\d\d\$/.test(hash)) entries.set(line.slice(0, i), hash);
    }
    this.entries = entries;
    this.verified = new Set();
    this.mtimeMs = mtimeMs;
  }

  /** Number of usable (bcrypt) entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Throws UNAUTHORIZED (with the Basic challenge) unless the header carries a valid user and password. */
  async check(authorization: string | undefined): Promise<string> {
    try { this.reload(); } catch { /* keep the last good file */ }
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    if (m) {
      const pair = Buffer.from(m[1], 'base64').toString('utf8');
      const i = pair.indexOf(':');
      const user = pair.slice(0, i);
      const hash = i > 0 ? this.entries.get(user) : undefined;
      if (hash) {
        const key = createHash('sha256').update(`${pair}\0${hash}`).digest('hex');
        if (this.verified.has(key)) return user;
        if (await bcrypt.compare(pair.slice(i + 1), hash)) {
          this.verified.add(key);
          return user;
        }
      }
    }
    throw new RegistryError('UNAUTHORIZED', 'authentication required', undefined, 401);
  }

  challenge(): string {
    return `Basic realm="${this.realm.replace(/"/g, '')}"`;
  }
}
