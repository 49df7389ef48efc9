import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, chromiumPath } from './scripts/browser.mjs';

/**
 * End-to-end tests against the built studio (`npm test` builds first), in the system Chromium.
 * The machine may be CPU-only: WebGL/WebGPU are software renderers there, so timeouts are generous.
 */
export const CHROMIUM_ARGS = [
  ...CHROMIUM_FLAGS,
  // A fake camera for the webcam in try-it, allowed without a prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** Set STUDIO_URL to test an already running server instead of starting `vite preview`. */
const external = process.env.STUDIO_URL;
/** The port `vite preview` serves the built studio on (STUDIO_PORT, default 4173: `npm start`'s). */
const port = Number(process.env.STUDIO_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 10 * 60_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: external ?? `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    acceptDownloads: true,
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
  },
  webServer: external
    ? undefined
    : {
        command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
        url: `http://127.0.0.1:${port}/`,
        reuseExistingServer: !process.env.CI,
        timeout: 120_000,
      },
});
