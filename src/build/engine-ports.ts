// The builder's ports (types.ts) over the engine: RUN steps as ordinary containers made by
// the container service, their output read from the container's log as `attach` reads it, their removal
// with their anonymous volumes (`rm -v`), and a container's writable layer for `commit`.
import type { BuildContainers, StepContainerSpec } from './types.js';
import type { ContainerService } from '../engine/containers/container-service.js';
import type { ContainerMounts } from '../engine/containers/container-mounts.js';
import { streamAttach } from '../engine/containers/log-streams.js';
import type { ByteSink } from '../engine/containers/log-reader.js';

/** Splits Docker's multiplexed frames (8-byte header: stream, 0, 0, 0, size) back into stdout/stderr bytes. */
function demux(onOutput: (stream: 1 | 2, data: Buffer) => void): ByteSink {
  let pending: Buffer = Buffer.alloc(0);
  return {
    closed: false,
    onClose() { /* the build never closes early */ },
    write(b) {
      pending = pending.length ? Buffer.concat([pending, b]) : b;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        onOutput(pending[0] === 2 ? 2 : 1, pending.subarray(8, 8 + size));
        pending = pending.subarray(8 + size);
      }
    },
  };
}

export function enginePorts(containers: ContainerService, mounts: ContainerMounts): BuildContainers {
  return {
    async create(spec: StepContainerSpec) {
      const { Id } = await containers.create({
        ...spec.config, Image: spec.image, AttachStdout: true, AttachStderr: true,
        HostConfig: { NetworkMode: spec.networkMode, ...(spec.extraHosts.length ? { ExtraHosts: spec.extraHosts } : {}) },
      }, undefined);
      return Id;
    },
    async run(id, onOutput) {
      const rec = containers.resolve(id);
      const attached = streamAttach(containers, rec, { stream: true, logs: false, stdout: true, stderr: true }, demux(onOutput));
      const exited = containers.wait(id, 'next-exit');
      try {
        await containers.start(id);
      } catch (err) {
        await attached.catch(() => undefined);
        throw err;
      }
      const code = await exited;
      await attached;
      return code;
    },
    diff(ref) {
      const rec = containers.resolve(ref);
      return {
        id: rec.Id, image: rec.Image, config: rec.Config, running: containers.isRunning(rec), paused: rec.State.Status === 'paused',
        name: rec.Name.slice(1), upper: containers.paths.upper(rec.Id), lowers: rec.LayerDirs,
      };
    },
    async remove(id) {
      const rec = containers.resolve(id);
      const anonymous = mounts.anonymousVolumes(rec);
      await containers.remove(id, { force: true });
      await mounts.removeVolumes(anonymous);
    },
    async setPaused(id, paused) { await containers.setPaused(id, paused); },
  };
}
