/** URL parameters of the automation contract: `?backend=` and `?seed=`. */
import { BACKEND_ORDER, type BackendName } from '../engine/types';

export interface StartupParams {
  backend: BackendName | null;
  /** The raw value when `?backend=` named something unknown. */
  unknownBackend: string | null;
  seed: number | null;
}

export function readParams(search: string): StartupParams {
  const q = new URLSearchParams(search);
  const rawBackend = q.get('backend');
  const backend = (BACKEND_ORDER as readonly string[]).includes(rawBackend ?? '') ? (rawBackend as BackendName) : null;
  const rawSeed = q.get('seed');
  const seedNum = rawSeed === null || rawSeed.trim() === '' ? NaN : Number(rawSeed);
  return {
    backend,
    unknownBackend: rawBackend && !backend ? rawBackend : null,
    seed: Number.isInteger(seedNum) ? seedNum >>> 0 : null,
  };
}
