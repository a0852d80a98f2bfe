// One error type for everything the compose tool refuses or fails at on its own side (bad files,
// missing variables, unknown services). The CLI prints the message and exits 1, as docker compose does;
// daemon failures keep arriving as the client's DaemonError.

export type ComposeErrorKind = 'invalid-file' | 'no-config-file' | 'invalid-argument' | 'not-found' | 'unsupported' | 'failed';

export class ComposeError extends Error {
  constructor(readonly kind: ComposeErrorKind, message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'ComposeError';
  }
}

export const invalidFile = (message: string): ComposeError => new ComposeError('invalid-file', message, 15);
export const invalidArgument = (message: string): ComposeError => new ComposeError('invalid-argument', message);
export const notFound = (message: string): ComposeError => new ComposeError('not-found', message);
export const unsupported = (message: string): ComposeError => new ComposeError('unsupported', message);
