/**
 * The benchmark cases: the one list. `npm run bench` runs all of them by default, and the README's
 * table is the output of such a run. `backend` fixes a case's backend (else `--backend`, default webgl).
 *
 * Every case runs on WebGL unless it says otherwise; here that is SwiftShader, a software renderer,
 * hence the small inputs. tfjs 4.22 has no convolution gradients on WASM, so the WASM case trains
 * the head only (the studio refuses a convolution that would train there).
 */
export const CASES = [
  { id: 'head-only', preset: { kind: 'head-only' }, imageSize: 96, batchSize: 8, epochs: 4, images: 32 },
  { id: 'top-blocks', preset: { kind: 'top-blocks', blocks: 2 }, imageSize: 224, batchSize: 8, epochs: 3, images: 16 },
  { id: 'top-blocks-96', preset: { kind: 'top-blocks', blocks: 2 }, imageSize: 96, batchSize: 8, epochs: 3, images: 32 },
  { id: 'full', preset: { kind: 'full' }, imageSize: 96, batchSize: 8, epochs: 3, images: 32 },
  { id: 'head-only-wasm', preset: { kind: 'head-only' }, backend: 'wasm', imageSize: 96, batchSize: 8, epochs: 4, images: 32 },
];

export const DEFAULT_BACKEND = 'webgl';
