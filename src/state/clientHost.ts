/** Holds the one training-worker client and routes its progress events into the store. */
import { createTrainingClient, type TrainingClient } from '../worker/client';
import { reduceWorkerEvent, type EventBuffers } from './events';
import { batchMetrics, textBatchMetrics } from './metricsBuffer';
import { useStudio } from './store';

let client: TrainingClient | null = null;
const buffers: EventBuffers = { image: batchMetrics, text: textBatchMetrics };

export function getClient(): TrainingClient {
  if (!client) {
    client = createTrainingClient();
    client.onEvent((event) => {
      const patch = reduceWorkerEvent(useStudio.getState(), event, buffers);
      if (patch) useStudio.setState(patch);
    });
  }
  return client;
}
