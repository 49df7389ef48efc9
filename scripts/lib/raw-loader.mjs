// `node --import ./scripts/lib/raw-loader.mjs`: lets Node read Vite's `?raw` imports (./raw-hooks.mjs).
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);
