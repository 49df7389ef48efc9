import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createFlatOptimizer } from './flat-optimizer';
import { EPSILON } from './optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function problem(seed: number) {
  const a = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', seed), true);
  const b = tf.variable(tf.randomNormal([4], 0, 1, 'float32', seed + 1), true);
  const x = tf.randomNormal([5, 3], 0, 1, 'float32', seed + 2);
  const loss = () => tf.mean(tf.square(tf.add(tf.matMul(x, a), b))) as tf.Scalar;
  return { a, b, loss };
}

describe('flat optimizers match tfjs optimizers', () => {
  for (const name of ['adam', 'sgd', 'rmsprop'] as const) {
    it(name, async () => {
      const p1 = problem(1);
      const p2 = problem(1);
      const ref =
        name === 'adam'
          ? tf.train.adam(0.05, 0.9, 0.999, EPSILON)
          : name === 'sgd'
            ? tf.train.momentum(0.05, 0.9)
            : tf.train.rmsprop(0.05, 0.9, 0, EPSILON);
      const flat = createFlatOptimizer(tf, name, [p2.a, p2.b]);
      for (let i = 0; i < 5; i++) {
        ref.minimize(p1.loss, false, [p1.a, p1.b]);
        const { value, grads } = tf.variableGrads(p2.loss, [p2.a, p2.b]);
        flat.step(grads, 0.05);
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
      }
      const d = Math.max(...(await tf.abs(tf.sub(p1.a, p2.a)).data()), ...(await tf.abs(tf.sub(p1.b, p2.b)).data()));
      expect(d).toBeLessThan(1e-5);
      ref.dispose();
      flat.dispose();
    });
  }
});
