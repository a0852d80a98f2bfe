// The machine the numbers were taken on: printed above the table and stored in the JSON.
import os from 'node:os';
import { readFileSync } from 'node:fs';

export interface MachineInfo { cpu: string; cores: number; kernel: string; memGiB: number; os: string; node: string }

export function machineInfo(): MachineInfo {
  let osName = 'Linux';
  try { osName = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName; } catch { /* keep default */ }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    cores: os.cpus().length,
    kernel: os.release(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName,
    node: process.version,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, kernel ${m.kernel}, node ${m.node}`;
}
