import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the WASM backend use threads; the studio also works without it.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Content-Security-Policy: nothing leaves the device except fetches of model URLs the person chose.
 * Scripts, workers and styles come from the studio itself; 'wasm-unsafe-eval' lets tfjs compile its
 * WASM backend, and blob: workers/scripts are how the threaded WASM backend and fflate start theirs.
 * connect-src allows any https: origin (the hosted catalog and a model URL typed by the person) and
 * local http servers, so "load a model from a URL" keeps working; see docs/ARCHITECTURE.md.
 * index.html carries the same policy as a <meta> tag (for any static host); keep the two equal.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "connect-src 'self' blob: data: https://storage.googleapis.com https: http://localhost:* http://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Writes the policy into the built index.html as a <meta> tag, so the studio is locked down on any
 * static host too. Build only: the dev server injects an inline React Refresh preamble that a strict
 * script-src would block.
 */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'studio-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html, ctx) =>
        ctx.filename.endsWith('index.html')
          ? [
              {
                tag: 'meta',
                attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
                injectTo: 'head-prepend',
              },
            ]
          : html,
    },
  };
}

const previewHeaders = { ...isolation, 'Content-Security-Policy': CONTENT_SECURITY_POLICY };

export default defineConfig({
  base: './',
  plugins: [react(), contentSecurityPolicyMeta()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  server: { host: '127.0.0.1', port: 5173, headers: isolation },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: previewHeaders },
});
