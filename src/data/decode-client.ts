/**
 * The main thread's side of decode.worker.ts: probe and thumbnail calls answered off the main
 * thread, falling back to decoding here when workers or OffscreenCanvas are missing.
 */
import type { ImageSize } from './types';
import { makeThumbnail as thumbnailHere, probeImage as probeHere } from './decode-browser';
import type { DecodeRequest, DecodeResponse } from './decode.worker';

type Pending = { resolve: (r: DecodeResponse) => void };
let worker: Worker | null = null;
let failed = false;
let nextId = 1;
const pending = new Map<number, Pending>();

function getWorker(): Worker | null {
  if (failed || typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  if (!worker) {
    try {
      worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e: MessageEvent<DecodeResponse>) => {
        pending.get(e.data.id)?.resolve(e.data);
        pending.delete(e.data.id);
      };
      worker.onerror = () => {
        failed = true;
        worker = null;
        for (const [id, p] of pending) p.resolve({ id, ok: false, message: 'the decode worker stopped' });
        pending.clear();
      };
    } catch {
      failed = true;
      return null;
    }
  }
  return worker;
}

type Ask = DecodeRequest extends infer R ? (R extends DecodeRequest ? Omit<R, 'id'> : never) : never;

function ask(req: Ask): Promise<DecodeResponse> | null {
  const w = getWorker();
  if (!w) return null;
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { resolve });
    w.postMessage({ ...req, id } as DecodeRequest);
  });
}

export async function probeImage(blob: Blob): Promise<ImageSize> {
  const res = await ask({ kind: 'probe', blob });
  if (!res) return probeHere(blob);
  if (!res.ok) throw new Error(res.message);
  return { width: res.width ?? 0, height: res.height ?? 0 };
}

export async function makeThumbnail(blob: Blob, size: number): Promise<Blob> {
  const res = await ask({ kind: 'thumbnail', blob, size });
  if (!res) return thumbnailHere(blob, size);
  if (!res.ok || !res.thumbnail) throw new Error(res.ok ? 'no thumbnail' : res.message);
  return res.thumbnail;
}
