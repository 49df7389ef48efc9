/// <reference lib="webworker" />
/**
 * A thin shell: the worker side of ./protocol.ts. Starts the backend, watches it for a lost device,
 * answers the tool commands, and hands every task command to its task's session (./sessions.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { startBackend } from '../engine/backend';
import { serializeError } from '../lib/errors';
import type { BackendName } from '../engine/types';
import type { Command, Request, ToolCommand, WorkerEvent } from './protocol';
import { augmentPreview } from './augment-preview';
import { decodeToPixels } from '../data/decode-browser';
import { deviceLost, loseDevice, watchDeviceLoss } from '../engine/device-loss';
import { dispatch, type SessionContext, type SessionRegistry } from './sessions';
import { imageClassificationSession } from '../tasks/image-classification/session';
import { imageSegmentationSession } from '../tasks/image-segmentation/session';
import { audioClassificationSession } from '../tasks/audio-classification/session';
import { textGenerationSession } from '../tasks/text-generation/session';
import { textClassificationSession } from '../tasks/text-classification/session';

declare const self: DedicatedWorkerGlobalScope;

let runningBackend: BackendName | null = null;
let stopWatching: (() => void) | null = null;
let lostReported = false;

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer);
}

const context: SessionContext = {
  post,
  backend: () => runningBackend ?? (tf.getBackend() as BackendName),
  checkDevice: () => {
    if (runningBackend && deviceLost(tf, runningBackend)) reportDeviceLoss('the WebGL context was lost');
  },
};

const imageClassification = imageClassificationSession(context);
const sessions = {
  'image-classification': imageClassification,
  'image-segmentation': imageSegmentationSession(context, imageClassification),
  'audio-classification': audioClassificationSession(context, imageClassification),
  'text-generation': textGenerationSession(context),
  'text-classification': textClassificationSession(context),
} satisfies SessionRegistry;

function stopAll(): void {
  for (const s of Object.values(sessions)) s.stop();
}

/** Stops the run and tells the UI, which restarts on a fresh worker from the last checkpoint. */
function reportDeviceLoss(reason: string): void {
  if (lostReported || !runningBackend) return;
  lostReported = true;
  stopAll();
  post({ type: 'device-lost', backend: runningBackend, reason });
}

async function tool(command: ToolCommand): Promise<unknown> {
  switch (command.kind) {
    case 'init': {
      const backend = await startBackend(command.backend, command.wasmPath);
      runningBackend = backend;
      stopWatching?.();
      stopWatching = watchDeviceLoss(tf, backend, reportDeviceLoss);
      return { backend };
    }
    case 'stop':
      stopAll();
      return { ok: true };
    case 'loseDevice':
      return { ok: runningBackend !== null && loseDevice(tf, runningBackend) };
    case 'augmentPreview':
      return { images: await augmentPreview(tf, command.blob, command.settings, command.count, decodeToPixels) };
  }
}

function handle(command: Command): Promise<unknown> {
  return 'task' in command ? dispatch(sessions, command) : tool(command);
}

self.onmessage = (ev: MessageEvent<Request>) => {
  const { id, command } = ev.data;
  handle(command).then(
    (value) => {
      const files = command.kind === 'export' || command.kind === 'jobStart' ? (value as { files: { data: ArrayBuffer }[] }).files : [];
      post(
        { type: 'result', id, value },
        files.map((f) => f.data),
      );
    },
    (err: unknown) => post({ type: 'error', id, error: serializeError(err) }),
  );
};
