/**
 * What a segmentation run's download says about itself — metadata.json, the model card and the data
 * manifest — built from the run's record alone (never from the screen). Plain data, no tfjs.
 */
import { heldEpoch, splitManifest, type DataManifest, type SegRunRecord } from '../../engine/run-record';
import { runProvenance } from '../../models/export/metadata';

/** The data manifest of a segmentation split: each pair's image hash, and per class how many images show it in each split. */
export function segManifest(
  labels: readonly string[],
  train: readonly { key: string; classes: ReadonlySet<number> }[],
  val: readonly { key: string; classes: ReadonlySet<number> }[],
  validationSplit: number,
): DataManifest {
  // A pair's "label" in the digest is the set of classes its mask shows: new masks change the digest.
  const keyed = (xs: typeof train) => xs.map((x) => ({ key: x.key, label: [...x.classes].sort((a, b) => a - b).join(',') }));
  const showing = (xs: typeof train, c: number) => xs.reduce((n, x) => n + (x.classes.has(c) ? 1 : 0), 0);
  return {
    train: splitManifest(keyed(train)),
    val: splitManifest(keyed(val)),
    classes: labels.map((label, c) => ({ label, train: showing(train, c), val: showing(val, c) })),
    validationSplit,
  };
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** metadata.json of a segmentation export (CONTRACT.md: labels, imageSize, inputRange, resize, settings, metrics, task). */
export function segExportMetadata(record: SegRunRecord, modelName: string, createdAt = new Date().toISOString()): Record<string, unknown> {
  const held = heldEpoch(record.metrics);
  const ev = record.segEvaluation;
  return {
    task: record.task,
    modelName,
    labels: record.labels,
    imageSize: record.input.imageSize,
    inputRange: record.input.inputRange,
    resize: record.input.resize,
    output: {
      shape: [1, record.input.imageSize, record.input.imageSize, record.labels.length],
      meaning: 'per-pixel class probabilities (softmax over the last axis, in label order; labels[0] is the background)',
      mask: 'the arg-max over the last axis, resized to the image with nearest neighbour',
    },
    settings: record.settings,
    loss: record.loss,
    decoder: record.decoder,
    metrics: {
      history: record.metrics.history,
      initialValLoss: record.metrics.initialValLoss,
      epochsCompleted: record.metrics.epochsCompleted,
      bestEpoch: record.metrics.bestEpoch,
      stoppedEarly: record.metrics.stoppedEarly,
      valLoss: held?.valLoss ?? null,
      valPixelAccuracy: held?.valAccuracy ?? null,
      valMeanIou: held?.valIou ?? null,
      // Only a measurement on the run's own validation split describes this run.
      evaluation: ev?.onRunSplit ? ev : null,
    },
    ...runProvenance(record),
    createdAt,
  };
}

/** The model card (README.md): data, settings, metrics per class, use and limits — from the run's record. */
export function segModelCard(record: SegRunRecord, modelName: string, createdAt = new Date().toISOString()): string {
  const s = record.settings;
  const held = heldEpoch(record.metrics);
  const ev = record.segEvaluation?.onRunSplit ? record.segEvaluation : null;
  const encoderLayers = record.trainable.filter((n) => !n.startsWith('seg_')).length;
  const size = record.input.imageSize;
  const [lo, hi] = record.input.inputRange;
  return [
    `# ${modelName || 'Image segmentation model'}`,
    '',
    `A U-Net-style decoder (${record.decoder.params.toLocaleString('en')} parameters; skips from ${record.decoder.skips.map((k) => `${k.layer} at 1/${k.stride}`).join(', ')}) on ${record.model.name} (licence: ${record.model.licence}), fine-tuned with the Fine-tuning Studio; trained ${record.startedAt} on ${record.backends.join(', then ')}, exported ${createdAt}.`,
    '',
    '## Data',
    ...record.data.classes.map((c, i) => `- class ${i} ${c.label}: in ${c.train} training and ${c.val} validation images`),
    `- ${record.data.train.count} training and ${record.data.val.count} validation image–mask pairs (${Math.round(record.data.validationSplit * 100)}% held out, seed ${record.seed}); train split sha256 ${record.data.train.digest.slice(0, 16)}…, validation ${record.data.val.digest.slice(0, 16)}….`,
    '',
    '## Settings',
    `- ${encoderLayers === 0 ? 'Decoder only (encoder frozen)' : `Decoder and ${encoderLayers} encoder layers`} (${record.trainableParams.toLocaleString('en')} trainable parameters); input ${size}×${size} (${record.input.resize}), pixels scaled to [${lo}, ${hi}].`,
    `- ${s.epochs} epochs, batch ${s.batchSize}, ${s.optimizer} at learning rate ${s.learningRate} (${s.schedule.kind}), weight decay ${s.weightDecay}; loss: pixel cross-entropy${record.loss.classWeights ? ' (class-weighted)' : ''}${record.loss.diceWeight > 0 ? ` + ${record.loss.diceWeight} × soft Dice` : ''}.`,
    ...record.notes.map((n) => `- ${n}`),
    '',
    '## Metrics (validation split)',
    `- Foreground mean IoU: ${pct(ev?.meanIou ?? held?.valIou)}; mean Dice: ${pct(ev?.meanDice)}; pixel accuracy: ${pct(ev?.pixelAccuracy ?? held?.valAccuracy)}; epochs trained: ${record.metrics.epochsCompleted}${record.metrics.bestEpoch !== null && record.metrics.bestEpoch !== record.metrics.epochsCompleted ? ` (weights of epoch ${record.metrics.bestEpoch})` : ''}.`,
    ...(ev ? record.labels.map((l, i) => `- IoU of ${l}: ${pct(ev.perClassIou[i])}`) : []),
    ...(record.metrics.stoppedEarly ? [`- ${record.metrics.stoppedEarly}`] : []),
    '',
    '## Use',
    `Input: [1, ${size}, ${size}, 3] float32 pixels in [${lo}, ${hi}] (the image resized to ${size}×${size}, ${record.input.resize}). Output: [1, ${size}, ${size}, ${record.labels.length}] class probabilities in the order of metadata.json's labels; the predicted mask is the arg-max over the last axis, resized back to the image with nearest neighbour.`,
    '',
    '## Intended use and limits',
    `Made for images like its training data (${record.data.train.count + record.data.val.count} pairs). It has not been tested on other kinds of images; check its masks on your own before relying on them, and never for a medical decision without validation by an expert.`,
    '',
  ].join('\n');
}
