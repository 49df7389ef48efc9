/** Holds the one training-worker client and routes its progress events into the store. */
import { createTrainingClient, type TrainingClient } from '../worker/client';
import { reduceWorkerEvent } from './events';
import { batchMetrics } from './metricsBuffer';
import { useStudio } from './store';

let client: TrainingClient | null = null;

export function getClient(): TrainingClient {
  if (!client) {
    client = createTrainingClient();
    client.onEvent((event) => {
      const patch = reduceWorkerEvent(useStudio.getState(), event, batchMetrics);
      if (patch) useStudio.setState(patch);
    });
  }
  return client;
}
