/**
 * Noticing that the GPU went away under a running backend: WebGPU's `device.lost` promise and
 * WebGL's `webglcontextlost` event (plus `isContextLost()`, checked on demand). After either, the
 * backend's tensors are gone and no further work on it can succeed, so the owner restarts on a
 * fresh worker from the last checkpoint. `loseDevice` makes a real loss happen, for tests.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendName } from './types';

type Tf = typeof tfTypes;

interface WebGpuLike {
  device?: { lost: Promise<{ reason?: string; message?: string }>; destroy(): void };
}
interface WebGlLike {
  gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
}

function glOf(tf: Tf): WebGLRenderingContext | WebGL2RenderingContext | null {
  return (tf.backend() as unknown as WebGlLike).gpgpu?.gl ?? null;
}

/** Calls `onLost` once, with a plain reason, if the running backend's GPU device or context is lost. */
export function watchDeviceLoss(tf: Tf, backend: BackendName, onLost: (reason: string) => void): () => void {
  let done = false;
  const fire = (reason: string) => {
    if (done) return;
    done = true;
    onLost(reason);
  };
  if (backend === 'webgpu') {
    const device = (tf.backend() as unknown as WebGpuLike).device;
    void device?.lost.then((info) => fire(info.message || info.reason || 'the GPU device was lost'));
    return () => {
      done = true;
    };
  }
  if (backend === 'webgl') {
    const canvas = (glOf(tf) as { canvas?: EventTarget } | null)?.canvas;
    const listener = (e: Event) => {
      e.preventDefault();
      fire('the WebGL context was lost');
    };
    canvas?.addEventListener('webglcontextlost', listener as EventListener);
    return () => {
      done = true;
      canvas?.removeEventListener('webglcontextlost', listener as EventListener);
    };
  }
  return () => {
    done = true;
  };
}

/** True when the running GPU backend can no longer work (checked between batches). */
export function deviceLost(tf: Tf, backend: BackendName): boolean {
  if (backend !== 'webgl') return false;
  return glOf(tf)?.isContextLost() ?? false;
}

/** Test hook: really loses the GPU device (WebGPU `destroy`) or context (`WEBGL_lose_context`). */
export function loseDevice(tf: Tf, backend: BackendName): boolean {
  if (backend === 'webgpu') {
    const device = (tf.backend() as unknown as WebGpuLike).device;
    device?.destroy();
    return !!device;
  }
  if (backend === 'webgl') {
    const ext = glOf(tf)?.getExtension('WEBGL_lose_context');
    ext?.loseContext();
    return !!ext;
  }
  return false;
}
