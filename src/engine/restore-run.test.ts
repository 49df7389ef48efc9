import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type EngineEvent } from './engine';
import type { Checkpoint } from './checkpoint';
import { DEFAULT_SETTINGS, type TrainSettings } from './types';
import { colourSources, tinyBackbone } from '../test/tiny';

const SIZE = 8;
const LABELS = ['r', 'g', 'b'];

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  epochs: 6,
  batchSize: 8,
  learningRate: 0.05,
  seed: 3,
  ...over,
});

async function loadTiny() {
  const engine = createTrainingEngine(tf);
  await engine.loadModel('tiny', 'Tiny', async () => tinyBackbone(SIZE), [0, 1]);
  return engine;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a finished run made current again (restoreRun)', () => {
  it('holds the same weights as the run ended with, even when it stopped mid-epoch after its last checkpoint', async () => {
    const { train, val } = colourSources(24, 3, SIZE, 7, 5);
    const a = await loadTiny();
    let last: Checkpoint | null = null;
    // Stop in the middle of epoch 3: the model then holds weights no per-epoch checkpoint has.
    const result = await a.train(
      settings(),
      LABELS,
      train,
      val,
      (e: EngineEvent) => {
        if (e.type === 'checkpoint') last = e.checkpoint;
        if (e.type === 'batch' && e.metrics.epoch === 3 && e.metrics.batch === 2) a.stop();
      },
      { checkpoints: true },
    );
    expect(result.stopped).toBe(true);
    expect(result.epochsCompleted).toBe(2);
    const ended = await a.evaluate(val);
    const held = await a.heldCheckpoint();
    const record = a.record();
    expect(held?.final).toBe(true);
    expect(held?.epoch).toBe(2);
    expect(record).not.toBeNull();

    // A fresh engine (a reload, another worker) with the same pre-trained model.
    const b = await loadTiny();
    const restored = await b.restoreRun(record!, held!);
    expect(restored.epochsCompleted).toBe(2);
    expect(b.record()?.id).toBe(record!.id);
    const again = await b.evaluate(val);
    expect(again.loss).toBeCloseTo(ended.loss, 5);
    expect(again.predictions.map((p) => p.predicted)).toEqual(ended.predictions.map((p) => p.predicted));

    // The last per-epoch checkpoint is not that model (the reason for the final one).
    const c = await loadTiny();
    await c.restoreRun(record!, last!);
    const older = await c.evaluate(val);
    expect(Math.abs(older.loss - ended.loss)).toBeGreaterThan(1e-4);
    [a, b, c].forEach((e) => e.dispose());
  });

  it('refuses a run of another pre-trained model, in words', async () => {
    const { train, val } = colourSources(12, 3, SIZE, 7, 5);
    const a = await loadTiny();
    await a.train(settings({ epochs: 1 }), LABELS, train, val, () => {}, { checkpoints: true });
    const held = (await a.heldCheckpoint())!;
    const record = { ...a.record()!, model: { id: 'other', name: 'Other net', licence: '', source: 'catalog' } };
    await expect(a.restoreRun(record, held)).rejects.toThrow(/This run fine-tuned Other net/);
    a.dispose();
  });
});
