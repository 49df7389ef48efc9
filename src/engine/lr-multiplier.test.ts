/**
 * The backbone learning-rate multiplier, measured on the weights: one step from identical weights and
 * data with multiplier 1 and 0.1. On the first step every optimizer here moves a weight by
 * lr × f(gradient), and the gradients are identical in both runs, so the head's deltas must be equal
 * and the backbone's must be exactly 0.1 × (up to float error). A multiplier that is ignored gives a
 * ratio of 1; one applied to the whole model changes the head's deltas too.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainSettings } from './types';
import { colourSources } from '../test/tiny';
import { LOOP_SIZE, bitEqual, deltas, loopSettings, maxAbs, tinyClassifier, trainLoop, weightsOf } from '../test/loop';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const data = () => colourSources(8, 3, LOOP_SIZE, 11, 3);

/** Deltas of one epoch of one batch (16 training images, batch 16), and which weights the optimizer owns. */
async function oneStep(over: Partial<TrainSettings>) {
  const model = tinyClassifier();
  const before = weightsOf(model);
  const { train, val } = data();
  const s = loopSettings({ epochs: 1, batchSize: train.ids.length, ...over });
  const res = await trainLoop(model, s, train, val);
  expect(res.history[0]!.trainableParams).toBeGreaterThan(27); // more than the head alone: the backbone trained
  const d = deltas(before, weightsOf(model));
  const head = new Set<string>();
  const backbone = new Set<string>();
  for (const layer of model.layers) {
    // `weights` lists the trainable ones first (batch norm's moving statistics come after).
    layer.trainableWeights.forEach((_, i) => (layer.name.startsWith('head_') ? head : backbone).add(`${layer.name}/${i}`));
  }
  model.dispose();
  return { before, d, head, backbone };
}

const PATHS: { name: string; over: Partial<TrainSettings> }[] = [
  // Every backbone layer trains: nothing is cached (the first layer trains), batch norm in training mode.
  { name: 'whole backbone', over: { mode: 'fine-tune', trainableLayers: ['block_1_conv', 'block_1_bn', 'block_2_conv'] } },
  // Only the top convolution trains: block 1 is the cached frozen prefix.
  { name: 'top conv, cached prefix', over: { mode: 'fine-tune', trainableLayers: ['block_2_conv'], useCache: true } },
  { name: 'top conv, no cache', over: { mode: 'fine-tune', trainableLayers: ['block_2_conv'], useCache: false } },
];

describe('backbone learning-rate multiplier', () => {
  for (const optimizer of ['sgd', 'adam', 'rmsprop'] as const) {
    for (const path of PATHS) {
      it(`${optimizer}, ${path.name}: scales backbone updates by the multiplier, leaves the head's alone`, async () => {
        const lr = { sgd: 0.05, adam: 0.01, rmsprop: 0.01 }[optimizer];
        const full = await oneStep({ ...path.over, optimizer, learningRate: lr, backboneLrMultiplier: 1 });
        const tenth = await oneStep({ ...path.over, optimizer, learningRate: lr, backboneLrMultiplier: 0.1 });
        // Both runs start from the same weights: the comparison is meaningful.
        for (const [k, v] of full.before) expect(bitEqual(v, tenth.before.get(k)!), k).toBe(true);
        expect(full.backbone.size).toBeGreaterThan(0);

        for (const k of full.head) {
          const a = full.d.get(k)!;
          const b = tenth.d.get(k)!;
          expect(maxAbs(a), `${k} moved`).toBeGreaterThan(1e-4);
          expect(maxAbs(Float32Array.from(a, (x, i) => x - b[i]!)), `${k}: head deltas equal`).toBeLessThan(1e-7);
        }
        for (const k of full.backbone) {
          const a = full.d.get(k)!;
          const b = tenth.d.get(k)!;
          // A convolution's bias just before batch norm in training mode has a zero gradient (the batch
          // mean cancels it): nothing to scale. Every kernel must have moved.
          if (k.endsWith('/0')) expect(maxAbs(a), `${k} moved`).toBeGreaterThan(1e-5);
          else if (maxAbs(a) < 1e-6) {
            expect(maxAbs(b), `${k} still`).toBeLessThan(1e-6);
            continue;
          }
          // Least-squares ratio of the two deltas, and the worst element's departure from 0.1 × delta.
          const ratio = a.reduce((s, x, i) => s + x * b[i]!, 0) / a.reduce((s, x) => s + x * x, 0);
          expect(ratio, `${k}: ratio`).toBeCloseTo(0.1, 4);
          const worst = a.reduce((m, x, i) => Math.max(m, Math.abs(b[i]! - 0.1 * x) - 1e-3 * Math.abs(x)), 0);
          expect(worst, `${k}: elementwise`).toBeLessThan(2e-7);
        }
        // Weights outside the trainable set do not move at all, in either run.
        for (const [k, a] of full.d) {
          const layer = k.split('/')[0]!;
          const trains = full.head.has(k) || full.backbone.has(k) || (layer === 'block_1_bn' && full.backbone.has('block_1_bn/0'));
          if (!trains) expect(maxAbs(a) + maxAbs(tenth.d.get(k)!), `${k} frozen`).toBe(0);
        }
      });
    }
  }
});
