// Local volumes created with driver options (`--opt type=.. --opt device=.. --opt o=..`) are mounted on
// their _data directory while a container uses them, as Docker's local driver does.
import { invalidArgument, internal } from '../errors.js';
import { CommandFailed, runCommand } from '../util/run-command.js';
import { isMounted } from '../fs/overlay.js';

const VALID_OPTS = new Set(['type', 'o', 'device', 'size']);
const REQUIRED: Array<[string, string[]]> = [['device', ['type']], ['type', ['device']], ['o', ['device', 'type']]];

/** Docker's local driver option checks and wording. */
export function validateLocalOptions(opts: Record<string, string> | null | undefined): void {
  if (!opts || Object.keys(opts).length === 0) return;
  for (const k of Object.keys(opts)) if (!VALID_OPTS.has(k)) throw invalidArgument(`invalid option: ${JSON.stringify(k)}`);
  if ('size' in opts) throw invalidArgument('quota size requested but no quota support');
  for (const [opt, needs] of REQUIRED) {
    if (!(opt in opts)) continue;
    for (const n of needs) if (!(n in opts)) throw invalidArgument(`missing required option: ${JSON.stringify(n)}`);
  }
}

export function needsMount(opts: Record<string, string> | null | undefined): boolean {
  return !!opts && (!!opts.device || !!opts.type);
}

async function run(cmd: string, args: string[]): Promise<void> {
  await runCommand(cmd, args, { timeoutMs: 60_000 }).catch((err: unknown) => { throw new Error(err instanceof CommandFailed ? err.detail : String(err)); });
}

export async function mountLocal(opts: Record<string, string>, dataDir: string): Promise<void> {
  if (await isMounted(dataDir)) return;
  const args = ['-t', opts.type || 'none'];
  if (opts.o) args.push('-o', opts.o);
  args.push(opts.device, dataDir);
  try {
    await run('mount', args);
  } catch (err) {
    const msg = (err as Error).message.replace(/password=[^,\s]*/g, 'password=********');
    throw internal(`error while mounting volume '${dataDir}': failed to mount local volume: mount ${opts.device}:${dataDir}: ${msg}`);
  }
}

export async function unmountLocal(dataDir: string): Promise<void> {
  if (!(await isMounted(dataDir))) return;
  await run('umount', [dataDir]).catch(async (err: Error) => {
    if (await isMounted(dataDir)) await run('umount', ['-l', dataDir]).catch(() => { throw internal(`unmount ${dataDir}: ${err.message}`); });
  });
}
