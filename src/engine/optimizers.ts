import type * as tfTypes from '@tensorflow/tfjs';
import type { OptimizerName } from './types';

/** Epsilon is set explicitly: WebGL's default differs from the other backends. */
export const EPSILON = 1e-7;

export function createOptimizer(tf: typeof tfTypes, name: OptimizerName, learningRate: number): tfTypes.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate, 0.9, 0.999, EPSILON);
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, 0.9, 0, EPSILON);
  }
}
