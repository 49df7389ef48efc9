/**
 * Gradual unfreezing, measured on the weights after each epoch. The trainable set here is the head
 * plus two backbone blocks (block_2 above block_1). With unfreezing every epoch, epoch 1 trains the
 * head alone, epoch 2 opens block_2, epoch 3 opens block_1: a block that is not open yet keeps its
 * weights bit for bit (batch norm's moving statistics included). Without it, everything moves in
 * epoch 1.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainSettings } from './types';
import { colourSources } from '../test/tiny';
import { LOOP_SIZE, bitEqual, loopSettings, tinyClassifier, trainLoop, weightsOf } from '../test/loop';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const BLOCKS: Record<string, string[]> = {
  head: ['head_dense'],
  block_2: ['block_2_conv'],
  block_1: ['block_1_conv', 'block_1_bn'],
};

const data = () => colourSources(8, 3, LOOP_SIZE, 5, 4);

/** Which blocks changed in each epoch (any weight of any of its layers not bit-equal to the epoch before). */
async function movedPerEpoch(over: Partial<TrainSettings>): Promise<string[][]> {
  const model = tinyClassifier();
  const snapshots: Map<string, Float32Array>[] = [];
  const { train, val } = data();
  await trainLoop(
    model,
    loopSettings({
      epochs: 3,
      batchSize: 6,
      mode: 'fine-tune',
      trainableLayers: ['block_1_conv', 'block_1_bn', 'block_2_conv'],
      ...over,
    }),
    train,
    val,
    // Epoch 0 is reported before the first step: the starting weights.
    (e) => e.type === 'epoch' && snapshots.push(weightsOf(model)),
  );
  model.dispose();
  expect(snapshots.length).toBe(4);
  return snapshots.slice(1).map((now, i) => {
    const was = snapshots[i]!;
    return Object.keys(BLOCKS).filter((block) =>
      [...now.keys()].some((k) => BLOCKS[block]!.includes(k.split('/')[0]!) && !bitEqual(now.get(k)!, was.get(k)!)),
    );
  });
}

describe('gradual unfreezing', () => {
  it('opens one block per epoch from the top; closed blocks keep their weights bit for bit', async () => {
    const moved = await movedPerEpoch({ gradualUnfreezing: { enabled: true, everyEpochs: 1 } });
    expect(moved).toEqual([['head'], ['head', 'block_2'], ['head', 'block_2', 'block_1']]);
  });

  it('every two epochs: the head alone for two epochs, then block_2', async () => {
    const moved = await movedPerEpoch({ gradualUnfreezing: { enabled: true, everyEpochs: 2 } });
    expect(moved).toEqual([['head'], ['head'], ['head', 'block_2']]);
  });

  it('off: the whole trainable set moves from the first epoch', async () => {
    const moved = await movedPerEpoch({ gradualUnfreezing: { enabled: false, everyEpochs: 1 } });
    expect(moved).toEqual([
      ['head', 'block_2', 'block_1'],
      ['head', 'block_2', 'block_1'],
      ['head', 'block_2', 'block_1'],
    ]);
  });

  it('on with the cache: the same schedule when the frozen prefix below the trainable set is cached', async () => {
    // Only block_2 is in the trainable set; block_1 is the cached prefix and never moves.
    const moved = await movedPerEpoch({
      trainableLayers: ['block_2_conv'],
      useCache: true,
      gradualUnfreezing: { enabled: true, everyEpochs: 1 },
    });
    expect(moved).toEqual([['head'], ['head', 'block_2'], ['head', 'block_2']]);
  });
});
