/// <reference lib="webworker" />
/** Decodes images off the main thread: probes (does it decode? how big?) and thumbnails. */
import { makeThumbnail, probeImage } from './decode-browser';

declare const self: DedicatedWorkerGlobalScope;

export type DecodeRequest = { id: number; kind: 'probe'; blob: Blob } | { id: number; kind: 'thumbnail'; blob: Blob; size: number };
export type DecodeResponse =
  { id: number; ok: true; width?: number; height?: number; thumbnail?: Blob } | { id: number; ok: false; message: string };

self.onmessage = (e: MessageEvent<DecodeRequest>) => {
  const req = e.data;
  const work =
    req.kind === 'probe'
      ? probeImage(req.blob).then((s) => ({ id: req.id, ok: true as const, width: s.width, height: s.height }))
      : makeThumbnail(req.blob, req.size).then((thumbnail) => ({ id: req.id, ok: true as const, thumbnail }));
  work.then(
    (res: DecodeResponse) => self.postMessage(res),
    (err: unknown) =>
      self.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : 'decode failed' } satisfies DecodeResponse),
  );
};
