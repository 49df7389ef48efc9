/**
 * Where the end-to-end tests and the benchmarks find a Chromium: $CHROMIUM_PATH, then the system
 * Chromium (Debian's package `chromium`), then a browser Playwright installed itself. Never downloads one.
 */
import { accessSync, constants } from 'node:fs';
import { chromium } from '@playwright/test';

/**
 * Flags every headless Chromium of the tests and benchmarks gets: no sandbox (root in CI), WebGPU on,
 * and none of the background requests that this machine's closed network refuses.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** System paths tried in order; `STUDIO_BROWSER_SEARCH` (colon-separated) replaces them, for tests. */
const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function playwrightsOwn() {
  try {
    return chromium.executablePath();
  } catch {
    return null;
  }
}

/**
 * The Chromium to use, or null. `{ path, from }`: `from` says which rule found it.
 * A `CHROMIUM_PATH` that is set but not executable is returned with `missing: true`, so callers can say so.
 */
export function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return { path: env.CHROMIUM_PATH, from: 'CHROMIUM_PATH', missing: !executable(env.CHROMIUM_PATH) };
  const search = env.STUDIO_BROWSER_SEARCH !== undefined ? env.STUDIO_BROWSER_SEARCH.split(':').filter(Boolean) : SYSTEM;
  for (const path of search) if (executable(path)) return { path, from: 'system', missing: false };
  if (env.STUDIO_BROWSER_SEARCH === undefined) {
    const own = playwrightsOwn();
    if (own && executable(own)) return { path: own, from: 'playwright', missing: false };
  }
  return null;
}

/** The path for launch options: what findChromium found, else the Debian path (the launch then fails with its own message). */
export function chromiumPath() {
  return findChromium()?.path ?? '/usr/bin/chromium';
}
