// What the container service does for legacy links beyond create and start (links.ts has the rules):
// parents' /etc/hosts follow a target's new address, renames keep the names parents show, and
// `docker rm --link` drops a link.
import { errorMessage } from '../../errors.js';
import type { ContainerRecord } from '../../model/container.js';
import type { NetworkService } from '../../network/network-service.js';
import { log } from '../../util/log.js';
import { linkEnv, linkHosts, parentsOf, removeLink, renamedTarget } from './links.js';
import type { ContainerStore } from './store.js';

export class LinkHooks {
  constructor(
    private readonly store: ContainerStore,
    private readonly isRunning: (rec: ContainerRecord) => boolean,
    private readonly network?: Pick<NetworkService, 'rewriteHosts'>,
  ) {}

  /** What a start needs for the links (throws dockerd's errors for a target that is not running). */
  forStart(rec: ContainerRecord): { env: string[]; hosts: string[] } {
    return { env: linkEnv(this.store, rec), hosts: linkHosts(this.store, rec) };
  }

  /** A container started (with a new address): the running parents linking to it see that one, as in dockerd. */
  started(target: ContainerRecord): void {
    for (const parent of parentsOf(this.store, target)) void this.refreshHosts(parent);
  }

  async renamed(target: ContainerRecord): Promise<void> {
    for (const parent of renamedTarget(this.store, target)) await this.store.save(parent);
  }

  /** `docker rm --link parent/alias`: the parent forgets the link, and a running parent's /etc/hosts loses its line. */
  async remove(ref: string): Promise<void> {
    const parent = removeLink(this.store, ref);
    await this.store.save(parent);
    if (this.isRunning(parent)) await this.refreshHosts(parent);
  }

  private async refreshHosts(rec: ContainerRecord): Promise<void> {
    try {
      await this.network?.rewriteHosts(rec, linkHosts(this.store, rec));
    } catch (err) {
      log.debug('hosts file not refreshed', { id: rec.Id.slice(0, 12), err: errorMessage(err) });
    }
  }
}
