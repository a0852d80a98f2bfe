// Changes the limits of a running container through its OCI runtime (`runc update -r -`), which writes
// the cgroup v1 or v2 files; the new values also go into config.json by the caller for the next start.
import { spawn } from 'node:child_process';
import { internal } from '../../errors.js';
import type { OciResources } from './resources.js';

export function runtimeUpdate(runtimePath: string, globalArgs: string[], id: string, resources: OciResources): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(runtimePath, [...globalArgs, 'update', '--resources', '-', id], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', (e) => reject(internal(`cannot run ${runtimePath}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(internal(`Cannot update container ${id}: ${err.trim().replace(/^time="[^"]*" level=\w+ msg="?|"$/g, '') || `exit ${code}`}`));
    });
    child.stdin.end(JSON.stringify(resources));
  });
}
