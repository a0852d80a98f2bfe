// Where each container's files live. Persistent state under the data root; runtime state (bundle,
// pid files, exit files, runc root) under the exec root, which is gone after a reboot.
import { join } from 'node:path';

export class ContainerPaths {
  constructor(readonly dataRoot: string, readonly execRoot: string) {}

  get containersDir(): string { return join(this.dataRoot, 'containers'); }
  /** Removed containers' files wait here (same filesystem: a rename) until deleted in the background. */
  get trashDir(): string { return join(this.dataRoot, 'containers-trash'); }
  get execTrashDir(): string { return join(this.execRoot, 'containers-trash'); }
  dir(id: string): string { return join(this.containersDir, id); }
  record(id: string): string { return join(this.dir(id), 'container.json'); }
  log(id: string): string { return join(this.dir(id), `${id}-json.log`); }
  hosts(id: string): string { return join(this.dir(id), 'hosts'); }
  hostname(id: string): string { return join(this.dir(id), 'hostname'); }
  resolvConf(id: string): string { return join(this.dir(id), 'resolv.conf'); }
  upper(id: string): string { return join(this.dir(id), 'diff'); }
  work(id: string): string { return join(this.dir(id), 'work'); }
  merged(id: string): string { return join(this.dir(id), 'merged'); }
  /** The host-side /dev/shm tmpfs of a `shareable` container, which `--ipc container:X` peers bind too. */
  shm(id: string): string { return join(this.dir(id), 'mounts', 'shm'); }
  /** Idmapped views (layers, container dir, volumes) of a container in a user namespace. */
  idmapDir(id: string): string { return join(this.execRoot, 'idmap', id); }
  /** Its user namespace, pinned (a bind mount of the ns file) while it runs. */
  usernsFile(id: string): string { return join(this.idmapDir(id), 'userns'); }

  /** OCI bundle (config.json), pid files and conmon's persist dir. */
  bundle(id: string): string { return join(this.execRoot, 'containers', id); }
  pidFile(id: string): string { return join(this.bundle(id), 'pid'); }
  conmonPidFile(id: string): string { return join(this.bundle(id), 'conmon.pid'); }
  persistDir(id: string): string { return join(this.bundle(id), 'persist'); }
  get exitDir(): string { return join(this.execRoot, 'exits'); }
  exitFile(id: string): string { return join(this.exitDir, id); }
  get socketDir(): string { return join(this.execRoot, 'socket'); }
  get runtimeRoot(): string { return join(this.execRoot, 'runc'); }
  runtimeRootFor(runtime: string): string { return runtime === 'runc' ? this.runtimeRoot : join(this.execRoot, runtime); }
}
