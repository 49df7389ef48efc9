/**
 * The one training loop with a task it has never seen: a two-part linear model on a seeded
 * regression set, supplied as a bare TaskRunner. What the loop promises every task: out-of-memory
 * backoff in 'pad' mode, gradual unfreezing over the task's parts, and a loss that falls.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/random';
import { runLoop, type LoopEvent, type LoopSettings, type TaskRunner } from './loop';
import { DEFAULT_SETTINGS } from './types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 24;
const rng = createRng(5);
const X = Array.from({ length: N }, () => [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1]);
const Y = X.map(([a, b, c]) => 2 * (a as number) - (b as number) + 0.5 * (c as number));

/** y ≈ x·(head + low + high): three variables, the two below the head as parts 'high' (top) and 'low'. */
function regression(failAbove: number | null): TaskRunner & { opened: string[][]; vars: tf.Variable[] } {
  const vars = ['head', 'low', 'high'].map((name) => tf.variable(tf.zeros([3, 1]), true, `${name}-${Math.random()}`));
  const [head, low, high] = vars as [tf.Variable, tf.Variable, tf.Variable];
  let failures = 0;
  const loss = (idx: number[]) => {
    const x = tf.tensor2d(idx.map((i) => X[i] as number[]));
    const y = tf.tensor2d(
      idx.map((i) => [Y[i] as number]),
      [idx.length, 1],
    );
    return tf.mean(tf.square(tf.sub(tf.matMul(x, tf.add(tf.add(head, low), high)), y))) as tf.Scalar;
  };
  const runner = {
    opened: [] as string[][],
    vars,
    trainCount: N,
    valCount: N,
    lastBatch: 'pad' as const,
    head: [head],
    parts: [
      { name: 'high', variables: [high] },
      { name: 'low', variables: [low] },
    ],
    setOpen: (open: ReadonlySet<string>) => runner.opened.push([...open]),
    state: () => vars.map((v, i) => ({ layer: `v${i}`, index: 0, read: () => v, write: (t: tf.Tensor) => v.assign(t) })),
    epochOrder: () => Array.from({ length: N }, (_, i) => i),
    async batch(indices: number[], _step: number, rows: number) {
      if (failAbove !== null && rows > failAbove && failures++ < 1) throw new Error('Failed to allocate buffer: out of memory');
      return { weight: indices.length, loss: () => ({ loss: loss(indices) }), dispose: () => {} };
    },
    async evaluate() {
      const l = loss(Array.from({ length: N }, (_, i) => i));
      const value = (await l.data())[0] as number;
      l.dispose();
      return { loss: value, accuracy: null };
    },
  };
  return runner;
}

const settings = (over: Partial<LoopSettings> = {}): LoopSettings => ({
  ...DEFAULT_SETTINGS,
  epochs: 4,
  batchSize: 8,
  learningRate: 0.05,
  backboneLrMultiplier: 1,
  ...over,
});

describe('the one training loop', () => {
  it('halves the batch when a step runs out of memory, says so, and finishes every epoch', async () => {
    const runner = regression(4);
    const events: LoopEvent[] = [];
    const result = await runLoop({ tf, runner, settings: settings(), onEvent: (e) => void events.push(e), shouldStop: () => false });
    expect(events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message)).toEqual([
      'Out of memory at batch size 8: continuing at 4.',
    ]);
    expect(result.epochsCompleted).toBe(4);
    const batches = events.filter((e) => e.type === 'batch');
    expect(batches.filter((b) => (b as { epoch: number }).epoch === 1).length).toBe(6); // 24 rows in batches of 4
    expect(result.final?.loss).toBeLessThan((result.initial?.loss ?? 0) / 4);
    runner.vars.forEach((v) => v.dispose());
  });

  it('opens the task’s parts one at a time from the top with gradual unfreezing, and only open parts move', async () => {
    const runner = regression(null);
    const moved: number[][] = [];
    await runLoop({
      tf,
      runner,
      settings: settings({ epochs: 3, gradualUnfreezing: { enabled: true, everyEpochs: 1 } }),
      onEvent: (e) => {
        if (e.type === 'epoch' && e.metrics.epoch > 0) moved.push(runner.vars.map((v) => Math.abs(v.dataSync()[0] as number)));
      },
      shouldStop: () => false,
    });
    expect(runner.opened).toEqual([[], ['high'], ['high', 'low']]);
    // Epoch 1: only the head; epoch 2: the top part too; epoch 3: both parts.
    expect(moved[0]?.[1]).toBe(0);
    expect(moved[0]?.[2]).toBe(0);
    expect(moved[1]?.[1]).toBe(0);
    expect(moved[1]?.[2]).toBeGreaterThan(0);
    expect(moved[2]?.[1]).toBeGreaterThan(0);
    runner.vars.forEach((v) => v.dispose());
  });
});
