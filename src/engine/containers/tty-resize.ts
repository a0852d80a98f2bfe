// A tty container's terminal size, through conmon's control fifo (`1 <height> <width>`). Opened
// non-blocking: a conmon that is busy or gone is not waited for.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

export async function resizeTerminal(bundleDir: string, height: number, width: number): Promise<void> {
  let fh;
  try { fh = await open(join(bundleDir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK); } catch { return; }
  try { await fh.write(`1 ${height} ${width}\n`); } catch { /* conmon busy or gone */ } finally { await fh.close(); }
}
