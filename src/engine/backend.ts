/**
 * Backend choice by real detection: WebGPU → WebGL → WASM → CPU, or exactly the one asked for.
 * `tf.setBackend` returns false instead of throwing; we check it, then run one op to be sure.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { StudioError } from '../lib/errors';
import { BACKEND_ORDER, backendLabel, type BackendName } from './types';
import { registerWasmConvGradients } from './wasm-grads';

export { backendLabel };

async function precheck(name: BackendName): Promise<string | null> {
  const scope = globalThis as unknown as {
    navigator?: { gpu?: { requestAdapter(): Promise<unknown> } };
    OffscreenCanvas?: unknown;
    document?: unknown;
  };
  if (name === 'webgpu') {
    const gpu = scope.navigator?.gpu;
    if (!gpu) return 'this browser exposes no WebGPU (navigator.gpu is missing)';
    const adapter = await gpu.requestAdapter().catch(() => null);
    if (!adapter) return 'no WebGPU adapter is available';
  }
  if (name === 'webgl' && !scope.OffscreenCanvas && !scope.document) {
    return 'WebGL needs OffscreenCanvas in a worker';
  }
  return null;
}

async function tryBackend(name: BackendName): Promise<string | null> {
  const reason = await precheck(name);
  if (reason) return reason;
  try {
    const ok = await tf.setBackend(name);
    if (!ok || tf.getBackend() !== name) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    const probe = tf.tidy(() => tf.sum(tf.mul(tf.ones([4, 4]), 2)));
    const [v] = await probe.data();
    probe.dispose();
    if (v !== 32) return 'a test computation gave a wrong result';
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : 'it failed to start';
  }
}

/** Starts `requested` or the best available backend; returns the backend really running. */
export async function startBackend(requested: BackendName | null, wasmPath: string): Promise<BackendName> {
  setWasmPaths(wasmPath);
  // tfjs' multi-threaded WASM build breaks once its glue code is minified into a bundle
  // (tensorflow/tfjs#4107, #4539: "e is not defined" under cross-origin isolation); use the SIMD build.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // tfjs 4.22's WASM backend has no Conv2DBackpropFilter; ours lets Conv2D weights train there.
  registerWasmConvGradients(tf);
  if (requested) {
    const reason = await tryBackend(requested);
    if (reason) {
      throw new StudioError(
        'backend-unavailable',
        `The ${backendLabel(requested)} backend could not start here: ${reason}. Remove ?backend= from the address to let the studio choose, or pick another backend.`,
      );
    }
    return requested;
  }
  const reasons: string[] = [];
  for (const name of BACKEND_ORDER) {
    const reason = await tryBackend(name);
    if (!reason) return name;
    reasons.push(`${backendLabel(name)}: ${reason}`);
  }
  throw new StudioError('backend-unavailable', `No compute backend could start (${reasons.join('; ')}).`);
}
