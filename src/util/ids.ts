import { randomBytes, createHash } from 'node:crypto';

/** A Docker-style 64-hex container/exec ID. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Docker's container-name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
export const validContainerName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
