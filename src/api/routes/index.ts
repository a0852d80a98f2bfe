import { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { registerSystemRoutes } from './system.js';
import { registerImageRoutes } from './images.js';
import { registerDistributionRoutes } from './distribution.js';
import { registerContainerRoutes } from './containers.js';
import { registerVolumeRoutes } from './volumes.js';
import { registerNetworkRoutes } from './networks.js';
import { registerExecRoutes } from './exec.js';
import { registerArchiveRoutes } from './archive.js';
import { registerSwarmRoutes } from './swarm.js';
import { registerResourceRoutes } from './resources.js';
import { registerBuildRoutes } from './build.js';

export function buildRouter(engine: Engine): Router {
  const router = new Router();
  registerSystemRoutes(router, engine);
  registerDistributionRoutes(router, engine);
  registerImageRoutes(router, engine);
  registerContainerRoutes(router, engine);
  registerVolumeRoutes(router, engine);
  registerNetworkRoutes(router, engine);
  registerExecRoutes(router, engine);
  registerArchiveRoutes(router, engine);
  registerSwarmRoutes(router);
  registerResourceRoutes(router, engine);
  registerBuildRoutes(router, engine);
  return router;
}
