/**
 * The benchmark cases: the one list. `npm run bench` runs all of them by default, and the README's
 * table is the output of such a run. `backend` fixes a case's backend (else `--backend`, default webgl).
 *
 * Every case runs on WebGL unless it says otherwise; here that is SwiftShader, a software renderer,
 * hence the small inputs. tfjs 4.22's WASM backend has no convolution filter gradients: the studio
 * adds Conv2D's (src/engine/wasm-grads.ts, registered by both bench workers), but depthwise
 * convolutions still have none, so the WASM cases train the head (or a segmenter's decoder) only and
 * the studio refuses encoder blocks there.
 */
export const CASES = [
  { id: 'head-only', preset: { kind: 'head-only' }, imageSize: 96, batchSize: 8, epochs: 4, images: 32 },
  { id: 'top-blocks', preset: { kind: 'top-blocks', blocks: 2 }, imageSize: 224, batchSize: 8, epochs: 3, images: 16 },
  { id: 'top-blocks-96', preset: { kind: 'top-blocks', blocks: 2 }, imageSize: 96, batchSize: 8, epochs: 3, images: 32 },
  { id: 'full', preset: { kind: 'full' }, imageSize: 96, batchSize: 8, epochs: 3, images: 32 },
  { id: 'head-only-wasm', preset: { kind: 'head-only' }, backend: 'wasm', imageSize: 96, batchSize: 8, epochs: 4, images: 32 },
  // Image segmentation (composeSegmenter: a U-Net decoder on MobileNetV2), on image–mask pairs from
  // scripts/make-seg-sample.mjs (seed 1). `head-only` here is decoder only: the encoder frozen and, in
  // the studio, cached. On WASM that is the only choice (no depthwise-convolution gradients there);
  // encoder blocks train on WebGL, kept small for SwiftShader.
  {
    id: 'seg-decoder-wasm',
    task: 'image-segmentation',
    preset: { kind: 'head-only' },
    backend: 'wasm',
    imageSize: 128,
    batchSize: 8,
    epochs: 3,
    images: 64,
  },
  {
    id: 'seg-blocks-webgl',
    task: 'image-segmentation',
    preset: { kind: 'top-blocks', blocks: 2 },
    backend: 'webgl',
    imageSize: 128,
    batchSize: 4,
    epochs: 2,
    images: 16,
  },
];

export const DEFAULT_BACKEND = 'webgl';
