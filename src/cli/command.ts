// What every verb gets and gives: an injected context (client, streams, terminal facts, clock) and a
// spec (usage, flags, argument count, run). Verbs write to ctx.stdout/ctx.stderr only, so unit tests can
// capture their output without a terminal or a daemon.
import type { Readable, Writable } from 'node:stream';
import type { EngineClient } from '../client/engine-client.js';
import { formatFlagUsages, type FlagSpec, type ParsedFlags } from './flags.js';

export interface OutStream extends Writable { isTTY?: boolean; columns?: number }

export interface CliContext {
  /** Created on first use, so `--help` and usage errors never touch the network. */
  client(): EngineClient;
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** The program name shown in messages (`berth`). */
  prog: string;
  env: Record<string, string | undefined>;
  now(): number;
}

export interface ArgCount { min?: number; max?: number; exact?: number }

export interface VerbSpec {
  /** e.g. `rm [OPTIONS] CONTAINER [CONTAINER...]` (without the program name). */
  usage: string;
  summary: string;
  aliases?: string[];
  flags: FlagSpec[];
  interspersed?: boolean;
  args?: ArgCount;
  run(ctx: CliContext, flags: ParsedFlags): Promise<number>;
}

/** A failure the verb already described: print `message` (if any) to stderr and exit with `code`. */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); this.name = 'ExitError'; }
}

export function renderHelp(prog: string, path: string, spec: VerbSpec): string {
  let out = `\nUsage:  ${usageLine(prog, path, spec)}\n\n${spec.summary}\n`;
  if (spec.aliases?.length) out += `\nAliases:\n  ${spec.aliases.map((a) => `${prog} ${a}`).join(', ')}\n`;
  const visible = spec.flags.filter((f) => !f.hidden);
  if (visible.length) out += `\nOptions:\n${formatFlagUsages(visible)}\n`;
  return out;
}

/** `berth container rm [OPTIONS] CONTAINER [CONTAINER...]`: the verb's path with its usage arguments. */
export function usageLine(prog: string, path: string, spec: VerbSpec): string {
  return `${prog} ${path.split(' ').slice(0, -1).concat(spec.usage).join(' ')}`;
}

/** Docker 28's argument-count complaint ("See" for open-ended counts, "Run" for fixed ones). */
export function checkArgs(prog: string, path: string, spec: VerbSpec, args: string[]): void {
  const c = spec.args;
  if (!c) return;
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  let problem: string | undefined;
  let verb = 'See';
  if (c.exact !== undefined && args.length !== c.exact) { problem = `requires ${plural(c.exact)}`; verb = 'Run'; }
  else if (c.min !== undefined && c.max !== undefined && (args.length < c.min || args.length > c.max)) problem = `requires at least ${c.min} and at most ${plural(c.max)}`;
  else if (c.min !== undefined && args.length < c.min) problem = `requires at least ${plural(c.min)}`;
  else if (c.max !== undefined && args.length > c.max) {
    problem = c.max === 0 ? 'accepts no arguments' : `requires at most ${plural(c.max)}`;
    verb = 'Run';
  }
  if (problem) {
    throw new ExitError(`${prog}: '${prog} ${path}' ${problem}\n\nUsage:  ${usageLine(prog, path, spec)}\n\n${verb} '${prog} ${path} --help' for more information`, 1);
  }
}

/** Writes and resolves once the chunk is handed to the OS (keeps big outputs intact before exit). */
export function writeAsync(stream: Writable, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => stream.write(data, (err) => (err ? reject(err) : resolve())));
}
