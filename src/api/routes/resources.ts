// /containers/{id}/stats and /containers/{id}/update: resource usage in Docker's stats JSON (one answer
// or a stream), and limits or the restart policy changed on a container (running or not).
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, readJsonBody, sendJson, startStream } from '../context.js';
import { invalidArgument } from '../../errors.js';
import type { UpdateRequest } from '../../engine/limits/update-service.js';

const NUMERIC = ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'PidsLimit', 'BlkioWeight', 'KernelMemory', 'MemorySwappiness', 'CpuRealtimePeriod', 'CpuRealtimeRuntime'];
/** Update fields Docker has that Berth does not apply: refused rather than ignored. */
const NOT_APPLIED = ['KernelMemory', 'KernelMemoryTCP', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CpuCount', 'CpuPercent', 'IOMaximumIOps', 'IOMaximumBandwidth', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'DeviceRequests', 'Devices', 'DeviceCgroupRules', 'Ulimits', 'MemorySwappiness', 'OomKillDisable', 'CgroupParent'];

function decodeUpdate(body: Record<string, unknown>): UpdateRequest {
  for (const [k, v] of Object.entries(body)) {
    if (v === null || v === undefined || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if (NOT_APPLIED.includes(k)) throw invalidArgument(`update of ${k} is not supported by Berth`);
    if (NUMERIC.includes(k) && (typeof v !== 'number' || !Number.isInteger(v))) throw invalidArgument(`invalid value for ${k}: ${JSON.stringify(v)}`);
  }
  return body as UpdateRequest;
}

export function registerResourceRoutes(router: Router, engine: Engine): void {
  router.get('/containers/{id}/stats', async (ctx) => {
    const rec = engine.containers.resolve(ctx.params.id);
    const stream = boolQuery(ctx.query, 'stream', true);
    const oneShot = boolQuery(ctx.query, 'one-shot');
    if (oneShot && stream) throw invalidArgument('cannot have stream=true and one-shot=true');
    if (!stream) { sendJson(ctx, 200, await engine.stats.once(rec, oneShot)); return; }
    const res = startStream(ctx);
    let closed = false;
    res.on('close', () => { closed = true; });
    await engine.stats.stream(rec, (obj) => res.write(JSON.stringify(obj) + '\n'), () => closed);
    res.end();
  });

  router.post('/containers/{id}/update', async (ctx) => {
    const body = await readJsonBody<Record<string, unknown>>(ctx, {});
    sendJson(ctx, 200, await engine.update.update(ctx.params.id, decodeUpdate(body)));
  });
}
