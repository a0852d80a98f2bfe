// Image leases: an image held by a create (or a pull or build) stays, with its layers, against rmi -f and
// image prune -a until the lease is released; then Docker's usual rules apply again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageService } from '../../src/images/image-service.js';
import { EventBus } from '../../src/model/events.js';
import { canSeedBusybox } from '../../src/images/busybox-seed.js';

const base = mkdtempSync(join(tmpdir(), 'berth-lease-'));
after(() => rmSync(base, { recursive: true, force: true }));

test('a leased image survives rmi -f and prune -a; released, it goes', { skip: !canSeedBusybox() && 'needs busybox-static' }, async () => {
  const s = new ImageService({ dataRoot: base, events: new EventBus(), imagesInUse: () => new Set() });
  await s.init();
  const image = await s.resolve('busybox');
  const short = image.id.slice(7, 19);
  const [layerDir] = await s.layerDirs(image);
  assert.throws(() => s.lease('nosuch'), { message: 'No such image: nosuch:latest' });

  const lease = s.lease('busybox');
  assert.equal(lease.image?.id, image.id);
  await assert.rejects(s.remove(image.id, true, false), { message: `conflict: unable to delete ${short} (cannot be forced) - image is being used by an operation in progress (create, pull or build)` });
  // By name with -f: untagged (as with a running container), the image and its layer stay.
  assert.deepEqual(await s.remove('busybox', true, false), [{ Untagged: 'busybox:latest' }]);
  assert.equal((await s.prune({ dangling: ['false'] })).ImagesDeleted, null, 'prune -a leaves it');
  assert.ok(s.store.has(image.id));
  assert.ok(existsSync(layerDir), 'the layer under the create is still there');

  lease.release();
  lease.release(); // twice is harmless
  const pruned = await s.prune({});
  assert.deepEqual(pruned.ImagesDeleted?.[0], { Deleted: image.id });
  assert.ok(!existsSync(layerDir));
});
