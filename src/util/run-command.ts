// Runs a host tool (mount, ip, iptables, ps, runc...) without a shell. The one wrapper of execFile:
// a failure is a CommandFailed carrying the tool's stderr, which callers turn into their own error.
import { execFile } from 'node:child_process';

export interface RunOptions { cwd?: string; timeoutMs?: number; maxBuffer?: number }
export interface RunOutput { stdout: string; stderr: string }

export class CommandFailed extends Error {
  constructor(readonly command: string, readonly args: string[], readonly stdout: string, readonly stderr: string, reason: string) {
    super(`${command} ${args.join(' ')}: ${(stderr || reason).trim()}`);
    this.name = 'CommandFailed';
  }

  /** What the tool said (its stderr), or why it could not run. */
  get detail(): string {
    return this.message.slice(this.command.length + 1 + this.args.join(' ').length + 2);
  }
}

export function runCommand(command: string, args: string[], opts: RunOptions = {}): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 0, maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new CommandFailed(command, args, String(stdout ?? ''), String(stderr ?? ''), err.message));
      else resolve({ stdout, stderr });
    });
  });
}
