// `docker search`: the registry's v1 search API when it has one (Docker Hub), else — CNCF distribution
// and most private registries have none — the v2 catalog filtered by the term, so search still answers.
import { BerthError } from '../../errors.js';
import { readBody, registryError, type RegistrySession } from './session.js';

export interface SearchResult { name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }

export interface SearchFilters { stars?: number; isOfficial?: boolean; isAutomated?: boolean }

export async function searchRegistry(s: RegistrySession, term: string, limit: number, hub: boolean): Promise<SearchResult[]> {
  await s.ping();
  const v1 = await s.request(`/v1/search?q=${encodeURIComponent(term)}&n=${limit}`);
  if (v1.statusCode === 200) {
    const body = JSON.parse((await readBody(v1)).toString('utf8')) as { results?: SearchResult[] };
    return (body.results ?? []).slice(0, limit);
  }
  v1.resume();
  if (hub) throw new BerthError('unavailable', `Unexpected status code ${v1.statusCode} from the Docker Hub search API`);
  const res = await s.request('/v2/_catalog?n=1000', { scope: 'registry:catalog:*' });
  if (res.statusCode !== 200) throw await registryError(res, `searching ${s.registry}: the registry has no search API and its catalog is not readable`);
  const body = JSON.parse((await readBody(res)).toString('utf8')) as { repositories?: string[] };
  return (body.repositories ?? [])
    .filter((r) => r.includes(term))
    .slice(0, limit)
    .map((r) => ({ name: `${s.registry}/${r}`, description: '', star_count: 0, is_official: false, is_automated: false }));
}
