/**
 * metadata.json and the model card (README.md) of an image classifier's export, built from the run's
 * record alone: what the download says is what the worker trained, whatever the screen shows now.
 */
import { heldEpoch, type ImageRunRecord, type SegRunRecord } from '../../engine/run-record';

export function imageExportMetadata(
  record: ImageRunRecord,
  modelName: string,
  createdAt = new Date().toISOString(),
): Record<string, unknown> {
  const held = heldEpoch(record.metrics);
  const ev = record.metrics.evaluation;
  return {
    task: record.task,
    modelName,
    labels: record.labels,
    imageSize: record.input.imageSize,
    inputRange: record.input.inputRange,
    resize: record.input.resize,
    settings: record.settings,
    metrics: {
      history: record.metrics.history,
      initialValLoss: record.metrics.initialValLoss,
      epochsCompleted: record.metrics.epochsCompleted,
      bestEpoch: record.metrics.bestEpoch,
      stoppedEarly: record.metrics.stoppedEarly,
      valAccuracy: held?.valAccuracy ?? null,
      valLoss: held?.valLoss ?? null,
      // Only a measurement on the run's own validation split describes this run.
      evalAccuracy: ev?.onRunSplit ? ev.accuracy : null,
    },
    ...runProvenance(record),
    createdAt,
  };
}

/** What every image export's metadata.json says of the run itself: the model it came from, the backend, seed, layers, data and notes. */
export function runProvenance(record: ImageRunRecord | SegRunRecord): Record<string, unknown> {
  return {
    model: { id: record.model.id, name: record.model.name, licence: record.model.licence, source: record.model.source },
    ...(record.model.continuedFrom ? { continuedFrom: record.model.continuedFrom } : {}),
    backend: record.backend,
    run: {
      id: record.id,
      startedAt: record.startedAt,
      finishedAt: record.metrics.finishedAt,
      seed: record.seed,
      backends: record.backends,
      trainable: record.trainable,
      trainableParams: record.trainableParams,
      data: record.data,
      notes: record.notes,
      resumes: record.resumes,
    },
  };
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** A short model card: data, settings, metrics, intended use and limits — all from the run's record. */
export function imageModelCard(record: ImageRunRecord, modelName: string, createdAt = new Date().toISOString()): string {
  const s = record.settings;
  const held = heldEpoch(record.metrics);
  const ev = record.metrics.evaluation;
  const backboneLayers = record.trainable.filter((n) => !n.startsWith('head_')).length;
  const [lo, hi] = record.input.inputRange;
  const size = record.input.imageSize;
  return [
    `# ${modelName || 'Image classifier'}`,
    '',
    `Fine-tuned from ${record.model.name} (licence: ${record.model.licence}) with the Fine-tuning Studio; trained ${record.startedAt} on ${record.backends.join(', then ')}, exported ${createdAt}.`,
    '',
    '## Data',
    ...record.data.classes.map((c) => `- ${c.label}: ${c.train + c.val} images (${c.train} train, ${c.val} validation)`),
    `- ${Math.round(record.data.validationSplit * 100)}% of each class held out for validation (seed ${record.seed}); train split sha256 ${record.data.train.digest.slice(0, 16)}…, validation ${record.data.val.digest.slice(0, 16)}….`,
    '',
    '## Settings',
    `- ${backboneLayers === 0 ? 'Head only (backbone frozen)' : `Fine-tuned ${backboneLayers} backbone layers and the head`} (${record.trainableParams.toLocaleString('en')} trainable parameters); input ${size}×${size} (${record.input.resize}), pixels scaled to [${lo}, ${hi}].`,
    `- ${s.epochs} epochs, batch ${s.batchSize}, ${s.optimizer} at learning rate ${s.learningRate} (${s.schedule.kind}), dropout ${s.dropout}, weight decay ${s.weightDecay}, label smoothing ${s.labelSmoothing}.`,
    ...record.notes.map((n) => `- ${n}`),
    '',
    '## Metrics',
    `- Validation accuracy: ${pct(ev?.onRunSplit ? ev.accuracy : held?.valAccuracy)}; validation loss: ${held?.valLoss === null || held?.valLoss === undefined ? 'n/a' : held.valLoss.toFixed(4)}; epochs trained: ${record.metrics.epochsCompleted}${record.metrics.bestEpoch !== null && record.metrics.bestEpoch !== record.metrics.epochsCompleted ? ` (weights of epoch ${record.metrics.bestEpoch})` : ''}.`,
    ...(record.metrics.stoppedEarly ? [`- ${record.metrics.stoppedEarly}`] : []),
    '',
    '## Intended use and limits',
    `- Sorts images into: ${record.labels.join(', ')}. It always answers one of these, even for images of something else.`,
    '- It learnt from the images above only: expect it to fail on pictures unlike them (other lighting, framing, cameras, people or places).',
    '- Measured on a small validation split; check it on your own held-out data before relying on it, and do not use it for decisions about people.',
    '',
    '## Use',
    `\`tf.loadLayersModel("model.json")\`; resize to ${size}×${size} (\`imageSize\` in metadata.json), scale pixels to [${lo}, ${hi}], predict; outputs follow \`labels\`.`,
    '',
  ].join('\n');
}
