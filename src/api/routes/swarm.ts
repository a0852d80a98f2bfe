// Swarm mode and managed plugins are not part of Berth. The endpoints answer as a dockerd that is not in a
// swarm and has no plugins installed, so SDKs' clean-up and probing code (list services, leave the swarm,
// list plugins) runs as it does against Docker rather than stopping on a 404.
import type { Router } from '../router.js';
import { sendJson } from '../context.js';
import { BerthError, notImplemented } from '../../errors.js';

const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const NOT_IN_SWARM = 'This node is not part of a swarm';

const notManager = (): never => { throw new BerthError('unavailable', NOT_MANAGER); };

export function registerSwarmRoutes(router: Router): void {
  // Joining or starting a swarm is refused outright: Berth has no swarm mode to enter.
  for (const verb of ['init', 'join']) router.post(`/swarm/${verb}`, () => { throw notImplemented('swarm mode is not supported by Berth'); });
  router.post('/swarm/leave', () => { throw new BerthError('unavailable', NOT_IN_SWARM); });
  for (const method of ['GET', 'POST', 'DELETE']) {
    router.add(method, '/swarm', notManager);
    router.add(method, '/swarm/{rest*}', notManager);
    for (const kind of ['services', 'tasks', 'nodes', 'secrets', 'configs']) {
      router.add(method, `/${kind}`, notManager);
      router.add(method, `/${kind}/{rest*}`, notManager);
    }
  }
  router.get('/plugins', (ctx) => sendJson(ctx, 200, []));
}
