// The registry server inside berthd (daemon.json `"registry-server": {"addr": ...}`): registry metadata under
// <data-root>/registry, blobs in berthd's own content store (<data-root>/image/blobs), so a blob berthd has
// is a blob the registry serves, and a pushed blob is never stored twice. berthd's image garbage collection
// asks the registry before deleting a blob.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RegistryStorage } from './storage/registry-storage.js';
import { createRegistryServer, listen } from './server.js';
import { Htpasswd } from './handlers/auth.js';
import type { LocalImages } from './storage/local-images.js';
import { errorMessage, invalidArgument } from '../../errors.js';

export interface EmbeddedRegistryConfig {
  addr: string;
  htpasswd?: string;
  realm?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export interface EmbeddedRegistryDeps {
  dataRoot: string;
  /** Root of berthd's content store (its `blobs/sha256` is shared). */
  imageRoot: string;
  /** Registers a predicate berthd's blob garbage collection must respect. */
  addBlobKeeper(keep: (digest: string) => boolean): void;
  /** berthd's images, served read-only under their names. */
  localImages?: LocalImages;
}

export interface EmbeddedRegistry {
  storage: RegistryStorage;
  /** Starts listening; resolves with the bound address. */
  start(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** Opens the storage and claims its blobs at once (before berthd may collect garbage); listens on start(). */
export async function openEmbeddedRegistry(cfg: EmbeddedRegistryConfig, deps: EmbeddedRegistryDeps): Promise<EmbeddedRegistry> {
  const storage = new RegistryStorage({ root: join(deps.dataRoot, 'registry'), blobRoot: deps.imageRoot, sharedBlobs: true, localImages: deps.localImages });
  await storage.indexReferences();
  deps.addBlobKeeper((d) => storage.isReferenced(d));
  const auth = cfg.htpasswd ? new Htpasswd(cfg.htpasswd, cfg.realm) : undefined;
  let server: Server | undefined;
  return {
    storage,
    async start() {
      server = createRegistryServer({ storage, auth, tls: cfg.tlsCert && cfg.tlsKey ? { cert: cfg.tlsCert, key: cfg.tlsKey } : undefined });
      try {
        return await listen(server, cfg.addr);
      } catch (err) {
        throw invalidArgument(`registry-server: cannot listen on ${cfg.addr}: ${errorMessage(err)}`);
      }
    },
    close() {
      return new Promise((resolve) => {
        if (!server) { resolve(); return; }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
