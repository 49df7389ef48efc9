/**
 * Optimizers that update every variable of a group at once, on one flat vector.
 *
 * tfjs' optimizers run about a dozen ops per variable per step; on a GPU each op is a dispatch, so a
 * group of 30 small variables costs ~400 dispatches a step. Here the gradients are concatenated,
 * the moments live in one flat vector each, and the update is split back: ~2 ops per variable plus a
 * constant. Same update rules as tf.train.adam / momentum / rmsprop (Keras semantics).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { OptimizerName } from './types';
import { EPSILON } from './optimizers';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

export interface FlatOptimizer {
  /** Applies one step to the group's variables, given their gradients by variable name. */
  step(grads: Record<string, Tensor>, learningRate: number): void;
  /** Its state for a checkpoint: the step count and the moment vectors (null where the optimizer has none). */
  state(): { t: number; slots: (Tensor | null)[] };
  /** Restores a checkpointed state; slots of the wrong size are ignored (the moments start afresh). */
  restore(t: number, slots: (Float32Array | null)[]): void;
  dispose(): void;
}

export function createFlatOptimizer(tf: Tf, name: OptimizerName, vars: readonly tfTypes.Variable[]): FlatOptimizer {
  const sizes = vars.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const slot = () => tf.keep(tf.zeros([total]));
  let m = name === 'sgd' || name === 'adam' || name === 'adamw' ? slot() : null;
  let v = name === 'adam' || name === 'adamw' || name === 'rmsprop' ? slot() : null;
  let t = 0;
  const beta1 = 0.9;
  const beta2 = 0.999;

  function replace(old: Tensor | null, next: Tensor): Tensor {
    old?.dispose();
    return tf.keep(next);
  }

  return {
    step(grads, lr) {
      if (vars.length === 0) return;
      t++;
      const g = tf.tidy(() =>
        tf.concat(
          vars.map((x) => tf.reshape(grads[x.name] ?? tf.zerosLike(x), [-1])),
          0,
        ),
      );
      const update = tf.tidy(() => {
        switch (name) {
          case 'adam':
          case 'adamw': {
            const m1 = tf.add(tf.mul(m as Tensor, beta1), tf.mul(g, 1 - beta1));
            const v1 = tf.add(tf.mul(v as Tensor, beta2), tf.mul(tf.square(g), 1 - beta2));
            m = replace(m, m1);
            v = replace(v, v1);
            // Bias correction as tf.train.adam: m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ).
            const mHat = tf.div(m1, 1 - beta1 ** t);
            const vHat = tf.div(v1, 1 - beta2 ** t);
            return tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), EPSILON)), -lr);
          }
          case 'sgd': {
            // tf.train.momentum: accumulation = momentum·accumulation + g; w −= lr·accumulation.
            const a = tf.add(tf.mul(m as Tensor, 0.9), g);
            m = replace(m, a);
            return tf.mul(a, -lr);
          }
          case 'rmsprop': {
            // tf.train.rmsprop (not centred, no momentum): ms = ρ·ms + (1−ρ)·g²; w −= lr·g / √(ms + ε).
            const ms = tf.add(tf.mul(v as Tensor, 0.9), tf.mul(tf.square(g), 0.1));
            v = replace(v, ms);
            return tf.mul(tf.div(g, tf.sqrt(tf.add(ms, EPSILON))), -lr);
          }
        }
      });
      g.dispose();
      tf.tidy(() => {
        const parts = tf.split(update, sizes, 0);
        vars.forEach((x, i) => x.assign(tf.add(x, tf.reshape(parts[i] as Tensor, x.shape))));
      });
      update.dispose();
    },
    state() {
      return { t, slots: [m, v] };
    },
    restore(steps, slots) {
      const [ms, vs] = slots;
      if ((m && ms?.length !== total) || (v && vs?.length !== total)) return;
      if (m && ms) m = replace(m, tf.tensor1d(ms));
      if (v && vs) v = replace(v, tf.tensor1d(vs));
      t = steps;
    },
    dispose() {
      m?.dispose();
      v?.dispose();
      m = null;
      v = null;
    },
  };
}
