import type * as tfTypes from '@tensorflow/tfjs';
import type { OptimizerName } from './types';

/** Epsilon is set explicitly: WebGL's default differs from the other backends. */
export const EPSILON = 1e-7;

/** AdamW is Adam here; its decoupled weight decay is applied by the training loop after each step. */
export function createOptimizer(tf: typeof tfTypes, name: OptimizerName, learningRate: number): tfTypes.Optimizer {
  switch (name) {
    case 'adam':
    case 'adamw':
      return tf.train.adam(learningRate, 0.9, 0.999, EPSILON);
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, 0.9, 0, EPSILON);
  }
}

/** Changes an optimizer's learning rate between steps (for schedules). */
export function setLearningRate(opt: tfTypes.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
