/**
 * The browser cache (Cache API) that keeps hosted models after their first download.
 * No tfjs here: the UI asks it which catalog models are cached; the worker reads and writes it.
 */
import { parseModelJson } from '../models/validate';

export const MODEL_CACHE = 'studio-models';

export async function openModelCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(MODEL_CACHE);
  } catch {
    return null; // no Cache API here (an insecure origin, or storage disabled)
  }
}

/** Whether a hosted model is fully in the cache: model.json (stored last) and every weight file. */
export async function isCached(url: string): Promise<boolean> {
  const cache = await openModelCache();
  if (!cache) return false;
  const res = await cache.match(url).catch(() => undefined);
  if (!res) return false;
  try {
    const json = parseModelJson(await res.text(), url);
    for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
      if (!(await cache.match(new URL(p, url).href))) return false;
    }
    return true;
  } catch {
    return false;
  }
}
