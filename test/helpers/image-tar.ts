// A `docker save`-format archive built in the test: N layers, each a tar of the given files, so tests
// get multi-layer images without a builder (load it with `docker load -i`).
import { createHash } from 'node:crypto';
import tar from 'tar-stream';

async function packTar(entries: Array<{ name: string; data: Buffer | string; mode?: number }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, mode: e.mode ?? 0o644, mtime: new Date(0) }, Buffer.from(e.data));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** `layers[i]` maps file paths to contents; the image runs `cmd` by default. */
export async function imageArchive(tag: string, layers: Array<Record<string, string | Buffer>>, cmd: string[] = ['sh']): Promise<Buffer> {
  const layerTars = await Promise.all(layers.map((files) => packTar(Object.entries(files).map(([name, data]) => ({ name, data, mode: 0o755 })))));
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Cmd: cmd, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: layerTars.map((t) => `sha256:${sha(t)}`) },
    history: layerTars.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `test layer ${i}` })),
  });
  const configName = `${sha(config)}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerTars.map((t) => `${sha(t)}/layer.tar`) }]);
  return await packTar([
    { name: configName, data: config },
    ...layerTars.map((t) => ({ name: `${sha(t)}/layer.tar`, data: t })),
    { name: 'manifest.json', data: manifest },
  ]);
}
