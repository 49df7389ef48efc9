/**
 * The segmentation task on the one loop, in Node (WASM backend, with the studio's Conv2D filter gradient): the decoder and its skips, the
 * frozen-encoder cache (same losses as without it), paired augmentation, training that beats the
 * untrained model, and an export that reloads with plain tf.loadLayersModel and predicts the same.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { applyAugment, applyAugmentToMask, drawAugmentParams } from '../../engine/augment';
import { frozenFrontier, hasWeights } from '../../engine/graph';
import { DEFAULT_SETTINGS, NO_AUGMENTATION, type EpochMetrics, type TrainSettings } from '../../engine/types';
import { createRng } from '../../lib/random';
import { layersModelFiles } from '../../engine/engine';
import { reloadExport, bundledBackboneAt, loadBundledBackbone } from '../../test/bundled';
import { summarize } from '../../models/inspect';
import { shapesSources, tinyBackboneSource, tinySegBackbone } from '../../test/seg';
import { IGNORE_CLASS } from '../../data/segmentation';
import { startWasm } from '../../test/wasm';
import { createSegmentationEngine, type SegEngineEvent } from './engine';
import { applySegFreezing, composeSegmenter, decoderParamCount, isDecoderLayer, planSkips, segmentationSkips } from './model';
import { runSegmentation, type SegEvaluation } from './runner';

const SIZE = 32;
const LABELS = ['background', 'square', 'disc'];

function settings(over: Partial<TrainSettings> = {}): TrainSettings {
  return {
    ...DEFAULT_SETTINGS,
    imageSize: SIZE,
    epochs: 2,
    batchSize: 4,
    learningRate: 0.01,
    seed: 5,
    augmentation: NO_AUGMENTATION,
    mode: 'head-only',
    trainableLayers: [],
    ...over,
  };
}

beforeAll(async () => {
  await startWasm();
});

describe('the segmenter', () => {
  it('reads MobileNetV2 at its block outputs, one per stride, and outputs per-pixel probabilities', async () => {
    const backbone = await bundledBackboneAt(128);
    const skips = segmentationSkips(backbone);
    expect(skips.map((s) => [s.layer, s.stride, s.channels])).toEqual([
      ['block_12_add', 16, 96],
      ['block_5_add', 8, 32],
      ['block_2_add', 4, 24],
      ['expanded_conv_project_BN', 2, 16],
    ]);
    const { model, decoder } = composeSegmenter(tf, backbone, { numClasses: 3, seed: 1 });
    expect(model.outputs[0]?.shape).toEqual([null, 128, 128, 3]);
    // The model step sizes the decoder from the 224 px layer table before any run: the same skips, the same count.
    const native = await loadBundledBackbone();
    const table = summarize('mobilenet-v2', 'MobileNetV2', native, [0, 1]).layers;
    expect(planSkips(table, 224)).toEqual(skips);
    expect(decoderParamCount(planSkips(table, 224), 1280, 3)).toBe(decoder.params);
    native.dispose();
    // Decoder only: the encoder is frozen, and what the decoder reads is exactly the skips and the bottleneck.
    applySegFreezing(model, new Set());
    const { frontier } = frozenFrontier(model, (l) => l.trainable && hasWeights(l));
    expect(new Set(frontier)).toEqual(new Set([...skips.map((s) => s.layer), 'out_relu']));
    const p = tf.tidy(() => model.predict(tf.randomUniform([1, 128, 128, 3], 0, 1, 'float32', 3)) as tf.Tensor);
    const sums = tf.tidy(() => tf.sum(p, -1));
    const worst = Array.from(await sums.data()).reduce((m, v) => Math.max(m, Math.abs(v - 1)), 0);
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([p, sums]);
    model.dispose();
  });
});

describe('paired augmentation', () => {
  it('moves the mask exactly as it moves the image', async () => {
    // Each pixel's colour says its class: after augmentation the image's colour must still name the mask's class.
    const size = 32;
    const { images, masks } = (await import('../../test/seg')).shapesSet(6, size, 9);
    const a = { ...NO_AUGMENTATION, flip: true, cropScale: 0.6, rotationDeg: 25 };
    const params = drawAugmentParams(6, a, createRng(4));
    const [img, mask] = tf.tidy(() => {
      const x = tf.tensor4d(
        images.flatMap((im) => Array.from(im)),
        [6, size, size, 3],
      );
      const m = tf.tensor4d(
        masks.flatMap((mk) => Array.from(mk)),
        [6, size, size, 1],
      );
      return [applyAugment(tf, x, a, params), applyAugmentToMask(tf, m, a, params, IGNORE_CLASS)];
    });
    const px = await (img as tf.Tensor).data();
    const mk = await (mask as tf.Tensor).data();
    tf.dispose([img as tf.Tensor, mask as tf.Tensor]);
    let agree = 0;
    let counted = 0;
    let ignored = 0;
    for (let p = 0; p < mk.length; p++) {
      const m = mk[p] as number;
      if (m === IGNORE_CLASS) {
        ignored++;
        continue;
      }
      const [r, g] = [px[p * 3] as number, px[p * 3 + 1] as number];
      const fromColour = r > 0.55 && r > g ? 1 : g > 0.55 && g > r ? 2 : 0;
      counted++;
      if (fromColour === m) agree++;
    }
    expect(ignored).toBeGreaterThan(0); // rotated corners are left out, not called background
    expect(agree / counted).toBeGreaterThan(0.97); // disagreements: bilinear blends at the edges only
  });
});

describe('training on the one loop', () => {
  async function decoderOnlyRun(useCache: boolean): Promise<EpochMetrics[]> {
    const backbone = tinySegBackbone(SIZE, 1);
    const { model } = composeSegmenter(tf, backbone, { numClasses: 3, seed: 2 });
    applySegFreezing(model, new Set());
    const { train, val } = shapesSources(24, SIZE, 3);
    const result = await runSegmentation({
      tf,
      model,
      settings: settings({ useCache }),
      numClasses: 3,
      inputRange: [0, 1],
      train,
      val,
      loss: { diceWeight: 1, classWeights: null },
      onEvent: () => {},
      shouldStop: () => false,
    });
    model.dispose();
    return result.history;
  }

  it('gives the same losses with the frozen encoder cached as without it', async () => {
    const cached = await decoderOnlyRun(true);
    const direct = await decoderOnlyRun(false);
    expect(cached).toHaveLength(2);
    cached.forEach((m, i) => {
      const d = direct[i] as EpochMetrics;
      expect(Math.abs(m.loss - d.loss)).toBeLessThan(1e-4);
      expect(Math.abs((m.valLoss ?? 0) - (d.valLoss ?? 0))).toBeLessThan(1e-4);
      expect(m.valIou).toBeCloseTo(d.valIou ?? -1, 4);
    });
  });

  it('trains a model that outlines what the untrained one cannot, and exports it as plain TF.js', async () => {
    const source = tinyBackboneSource(1);
    const engine = createSegmentationEngine(tf, source, () => 'wasm');
    const everyLayer = source.summary()?.layers.map((l) => l.name) ?? [];
    const { train, val } = shapesSources(48, SIZE, 11);
    const events: SegEngineEvent[] = [];
    const before = tf.memory().numTensors;
    const result = await engine.train(
      settings({ epochs: 12, learningRate: 0.01, mode: 'fine-tune', trainableLayers: everyLayer }),
      LABELS,
      train,
      val,
      (e) => events.push(e),
    );
    const epochs = events.filter((e): e is Extract<SegEngineEvent, { type: 'epoch' }> => e.type === 'epoch').map((e) => e.metrics);
    const initial = epochs.find((m) => m.epoch === 0);
    expect(result.epochsCompleted).toBe(12);
    const evaluation = await engine.evaluate(val);
    // The untrained decoder predicts one class everywhere: its foreground IoU is near 0.
    expect(initial?.valIou ?? 1).toBeLessThan(0.25);
    expect(evaluation.meanIou).toBeGreaterThan(0.6);
    expect(evaluation.meanIou).toBeCloseTo(epochs[epochs.length - 1]?.valIou ?? -1, 4);
    expect(evaluation.images).toHaveLength(val.ids.length);
    expect(evaluation.perClass.map((c) => c.support).reduce((a, b) => a + b, 0)).toBe(val.ids.length * SIZE * SIZE);
    const record = engine.record();
    expect(record?.task).toBe('image-segmentation');
    expect(record?.trainable.some((n) => !isDecoderLayer(n))).toBe(true);

    // The export reloads with plain tfjs and predicts what the engine predicts.
    const model = engine.model() as tf.LayersModel;
    const files = await layersModelFiles(tf, model, { labels: LABELS });
    const reloaded = await reloadExport(files);
    const pixels = await val.pixels([0], SIZE);
    const mine = await engine.predict(pixels);
    const theirs = tf.tidy(() => reloaded.predict(tf.tensor4d(pixels, [1, SIZE, SIZE, 3])) as tf.Tensor);
    const t = await theirs.data();
    let diff = 0;
    mine.probabilities.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - (t[i] as number)))));
    expect(diff).toBeLessThan(1e-5);
    theirs.dispose();
    reloaded.dispose();

    // Its held weights make it current again after another run replaced it.
    const held = await engine.heldCheckpoint();
    await engine.train(settings({ epochs: 1 }), LABELS, train, val, () => {});
    await engine.restoreRun(record!, held!);
    const again = await engine.predict(pixels);
    let back = 0;
    again.probabilities.forEach((v, i) => (back = Math.max(back, Math.abs(v - (mine.probabilities[i] as number)))));
    expect(back).toBeLessThan(1e-5);
    engine.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });

  it('stops early on the validation IoU when asked to', async () => {
    const backbone = tinySegBackbone(SIZE, 1);
    const { model } = composeSegmenter(tf, backbone, { numClasses: 3, seed: 2 });
    applySegFreezing(model, new Set());
    const { train, val } = shapesSources(16, SIZE, 3);
    const seen: SegEvaluation[] = [];
    const result = await runSegmentation({
      tf,
      model,
      settings: settings({
        epochs: 8,
        learningRate: 0,
        earlyStopping: { enabled: true, monitor: 'val-iou', patience: 1, restoreBest: true },
      }),
      numClasses: 3,
      inputRange: [0, 1],
      train,
      val,
      loss: { diceWeight: 1, classWeights: null },
      onEvent: (e) => {
        if (e.type === 'epoch' && e.evaluation) seen.push(e.evaluation);
      },
      shouldStop: () => false,
    });
    expect(result.epochsCompleted).toBe(2); // nothing moves at a learning rate of 0: no epoch after the first improves
    expect(result.stoppedEarly).toMatch(/validation mean IoU/);
    model.dispose();
  });
});
