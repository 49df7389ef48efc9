/**
 * What an audio export says about itself, from the run's record alone: metadata.json (the image
 * classifier's fields, the front end's settings and how a clip's windows combine), the model card,
 * and frontend.js — ./frontend.js itself, its SETTINGS the ones the model was trained with.
 */
import FRONTEND_SOURCE from './frontend.js?raw';
import { heldEpoch, type ImageRunRecord } from '../../engine/run-record';
import { imageExportMetadata } from '../../models/export/metadata';
import type { AudioSettings } from './types';

const SETTINGS_LINE = /^export const SETTINGS = DEFAULTS;.*$/m;

/** frontend.js with `settings` written in as its SETTINGS. */
export function frontendSource(audio: AudioSettings): string {
  if (!SETTINGS_LINE.test(FRONTEND_SOURCE)) throw new Error('frontend.js has no SETTINGS line to write');
  return FRONTEND_SOURCE.replace(
    SETTINGS_LINE,
    `export const SETTINGS = Object.freeze(${JSON.stringify(audio.frontend)}); // the settings this model was trained with`,
  );
}

export function audioSettingsOf(record: ImageRunRecord): AudioSettings {
  const audio = record.settings.audio;
  if (!audio) throw new Error('This run is not an audio run: its record has no front end.');
  return audio;
}

export function audioExportMetadata(
  record: ImageRunRecord,
  modelName: string,
  createdAt = new Date().toISOString(),
): Record<string, unknown> {
  const audio = audioSettingsOf(record);
  const base = imageExportMetadata(record, modelName, createdAt);
  const ev = record.metrics.evaluation;
  return {
    ...base,
    task: 'audio-classification',
    frontend: { ...audio.frontend, module: 'frontend.js', aggregate: 'mean over windows (axis 0)' },
    augmentation: audio.augment,
    provenance: audio.provenance ?? [],
    metrics: {
      ...(base.metrics as Record<string, unknown>),
      evalUar: ev?.onRunSplit ? (ev.uar ?? null) : null,
      evalMacroF1: ev?.onRunSplit ? (ev.macroF1 ?? null) : null,
    },
  };
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** A short model card: data, front end, settings, metrics, intended use and limits. */
export function audioModelCard(record: ImageRunRecord, modelName: string, createdAt = new Date().toISOString()): string {
  const { frontend: fe, augment: a, provenance } = audioSettingsOf(record);
  const s = record.settings;
  const held = heldEpoch(record.metrics);
  const ev = record.metrics.evaluation;
  const backboneLayers = record.trainable.filter((n) => !n.startsWith('head_')).length;
  const seconds = ((fe.frames - 1) * fe.hopLength + fe.winLength) / fe.sampleRate;
  return [
    `# ${modelName || 'Audio classifier'}`,
    '',
    `Fine-tuned from ${record.model.name} (licence: ${record.model.licence}) on log-mel spectrograms with the Fine-tuning Studio; trained ${record.startedAt} on ${record.backends.join(', then ')}, exported ${createdAt}.`,
    '',
    '## Data',
    ...record.data.classes.map((c) => `- ${c.label}: ${c.train + c.val} clips (${c.train} train, ${c.val} validation)`),
    `- ${Math.round(record.data.validationSplit * 100)}% of each class held out for validation (seed ${record.seed}); train split sha256 ${record.data.train.digest.slice(0, 16)}…, validation ${record.data.val.digest.slice(0, 16)}….`,
    ...(provenance ?? []).map((p) => `- Source: ${p}`),
    '',
    '## Front end (frontend.js)',
    `- Resampled to ${fe.sampleRate} Hz; windows of ${seconds.toFixed(2)} s every ${fe.windowHop} s (the first ${fe.maxSeconds} s of a clip); a clip's probabilities are the mean over its windows.`,
    `- STFT: ${fe.winLength}-sample Hann frames every ${fe.hopLength} samples, FFT ${fe.fftSize}; ${fe.melBins} mel bands ${fe.fMin}–${fe.fMax} Hz; dB relative to each window's peak, ${fe.topDb} dB range; drawn ${fe.imageSize}×${fe.imageSize}, scaled to [${fe.inputRange[0]}, ${fe.inputRange[1]}].`,
    '',
    '## Settings',
    `- ${backboneLayers === 0 ? 'Head only (backbone frozen)' : `Fine-tuned ${backboneLayers} backbone layers and the head`} (${record.trainableParams.toLocaleString('en')} trainable parameters).`,
    `- ${s.epochs} epochs, batch ${s.batchSize}, ${s.optimizer} at learning rate ${s.learningRate} (${s.schedule.kind}), dropout ${s.dropout}, weight decay ${s.weightDecay}, label smoothing ${s.labelSmoothing}.`,
    `- Augmentation: time shift ±${a.timeShift} s, gain ±${a.gainDb} dB, noise ${a.noiseSnrDb > 0 ? `${a.noiseSnrDb}–40 dB SNR` : 'off'}, ${a.freqMasks} frequency and ${a.timeMasks} time masks (up to ${Math.round(a.freqMaskWidth * 100)}% / ${Math.round(a.timeMaskWidth * 100)}%).`,
    ...record.notes.map((n) => `- ${n}`),
    '',
    '## Metrics',
    `- Per clip on the validation split: accuracy ${pct(ev?.onRunSplit ? ev.accuracy : null)}, unweighted average recall ${pct(ev?.onRunSplit ? ev.uar : null)}, macro-F1 ${pct(ev?.onRunSplit ? ev.macroF1 : null)}.`,
    `- Per window during training: validation accuracy ${pct(held?.valAccuracy)}, loss ${held?.valLoss === null || held?.valLoss === undefined ? 'n/a' : held.valLoss.toFixed(4)}; epochs trained: ${record.metrics.epochsCompleted}${record.metrics.bestEpoch !== null && record.metrics.bestEpoch !== record.metrics.epochsCompleted ? ` (weights of epoch ${record.metrics.bestEpoch})` : ''}.`,
    ...(record.metrics.stoppedEarly ? [`- ${record.metrics.stoppedEarly}`] : []),
    '',
    '## Intended use and limits',
    `- Sorts sound clips into: ${record.labels.join(', ')}. It always answers one of these, even for sounds of something else.`,
    '- It learnt from the clips above only: expect it to fail on other microphones, rooms, languages and voices unlike them. Check it on voices it never heard before relying on it, and do not use it for decisions about people.',
    '',
    '## Use',
    "`import { features } from './frontend.js'`; `features(samples, sampleRate)` (mono samples in [-1, 1], any rate) gives `{ data, shape }`; `model.predict(tf.tensor(data, shape)).mean(0)` gives the clip's probabilities in the order of `labels`.",
    '',
  ].join('\n');
}
