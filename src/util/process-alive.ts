// Whether a process still exists (signal 0 probes without signalling).
export function processAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try { process.kill(pid, 0); return true; } catch { return false; }
}
