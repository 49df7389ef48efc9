/**
 * An imported BERT fine-tuned as a 3-class classifier through the studio's path (issue 13): the
 * committed tiny checkpoint (src/test/fixtures/hf/tiny-bert) with a new head on its pooled output,
 * trained on the one loop; its `export.hf` files hold a BertForSequenceClassification (id2label,
 * label2id, transformers' names and layouts) whose probabilities, computed from the download alone,
 * equal the studio's; and PyTorch's independent BERT, reading the download, agrees (< 1e-3).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../lib/random';
import { runTextTraining } from '../../text/finetune';
import { presetGroups } from '../../text/groups';
import { disposeLm, lmHidden, lmPooled, loadLm } from '../../text/model';
import { classifyTexts, createTextModel, disposeTextModel } from '../../text/text-model';
import type { LabelledText, TextTrainSettings } from '../../text/types';
import { bertToSavedLm } from './bert';
import { exportHfModel } from './export';
import { readHfModel, type HfInputFile } from './import';
import { readSafetensors } from './safetensors';

const DIR = path.resolve(__dirname, '../../test/fixtures/hf/tiny-bert');
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const folder = (): HfInputFile[] =>
  ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((n) => ({ name: n, blob: new Blob([read(n)]) }));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const LABELS = ['sea', 'land', 'money'];
const WORDS = [
  ['sea', 'water', 'deep', 'voyage', 'winds'],
  ['land', 'city', 'country', 'stand', 'crowds'],
  ['money', 'purse', 'paying', 'passenger', 'passengers'],
];
const FILLER = ['the', 'and', 'that', 'all', 'you', 'this', 'for', 'there', 'but', 'with', 'they', 'from', 'not', 'one', 'some'];

/** Short texts whose label is the topic of two of their words, among filler words every class uses. */
function texts(seed: number, perClass: number): LabelledText[] {
  const rng = createRng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T;
  const out: LabelledText[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let label = 0; label < 3; label++) {
      const words = [pick(FILLER), pick(WORDS[label]!), pick(FILLER), pick(FILLER), pick(WORDS[label]!), pick(FILLER)];
      out.push({ text: words.join(' '), label });
    }
  }
  return out;
}

let exported: { dir: string; texts: string[]; ids: number[][]; probabilities: number[][] } | null = null;

describe('an imported BERT: a 3-class classifier, exported for transformers', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('fine-tunes on the loop, and the download classifies as the studio does', async () => {
    const hf = await readHfModel(folder());
    expect(hf.architecture).toBe('bert');
    expect(hf.tokenizerKind).toBe('WordPiece');
    const model = createTextModel(tf, hf.saved, { task: 'text-classification', labels: LABELS, pooling: 'mean', seed: 1 }, hf.tokenizer);
    const settings: TextTrainSettings = {
      task: 'text-classification',
      seed: 1,
      epochs: 12,
      batchSize: 16,
      learningRate: 0.003,
      optimizer: 'adam',
      weightDecay: 0,
      schedule: { kind: 'constant' },
      dropout: 0.1,
      trainableGroups: presetGroups(hf.saved.config, { kind: 'full' }),
      pooling: 'mean',
    };
    try {
      const validation = texts(2, 10);
      const result = await runTextTraining(tf, model, { task: 'text-classification', train: texts(1, 30), validation }, settings, () => {});
      // Chance is 1/3; the untrained head is near it. Topic words decide the label.
      expect(result.initial.valAccuracy).toBeLessThan(0.6);
      expect(result.final.valAccuracy).toBeGreaterThanOrEqual(0.9);

      const files = await exportHfModel(
        tf,
        model,
        { name: 'tiny-bert', config: hf.config, sideFiles: hf.sideFiles },
        { lora: null, card: '# card', record: {} },
      );
      const config = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;
      expect(config).toMatchObject({
        model_type: 'bert',
        architectures: ['BertForSequenceClassification'],
        id2label: { 0: 'sea', 1: 'land', 2: 'money' },
        label2id: { sea: 0, land: 1, money: 2 },
      });
      // The download alone: its encoder and its `classifier` give the studio's probabilities.
      const again = bertToSavedLm(config, readSafetensors(files['model.safetensors']!));
      expect(again.classifier?.labels).toEqual(LABELS);
      const sample = validation.slice(0, 6).map((e) => e.text);
      const studio = await classifyTexts(tf, model, sample);
      const lm = loadLm(tf, again.saved);
      const ids = sample.map((t) => Array.from(hf.tokenizer.encode(t)));
      const probabilities: number[][] = [];
      try {
        for (const [i, row] of ids.entries()) {
          const p = tf.tidy(() => {
            const pooled = lmPooled(tf, lm, lmHidden(tf, lm, tf.tensor2d([row], [1, row.length], 'int32')));
            const H = again.saved.config.width;
            return tf.softmax(
              tf.add(tf.matMul(pooled, tf.tensor2d(again.classifier!.kernel, [H, 3])), tf.tensor1d(again.classifier!.bias)),
            );
          });
          const values = Array.from(await p.data());
          p.dispose();
          probabilities.push(values);
          for (let k = 0; k < 3; k++) expect(Math.abs((values[k] as number) - (studio[i * 3 + k] as number))).toBeLessThan(1e-4);
        }
      } finally {
        disposeLm(lm);
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-bert-'));
      for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
      exported = { dir, texts: sample, ids, probabilities };
    } finally {
      disposeTextModel(model);
    }
  });

  it.runIf(hasTorch)('PyTorch’s BERT, reading the download, gives the studio’s probabilities (< 1e-3)', () => {
    expect(exported).not.toBeNull();
    const e = exported!;
    const script = path.resolve(__dirname, '../../../scripts/hf_reference.py');
    for (const [i, ids] of e.ids.entries()) {
      const out = spawnSync(PYTHON, [script, 'run', 'bert', e.dir, '--ids', JSON.stringify(ids)], { encoding: 'utf8' });
      expect(out.status, out.stderr).toBe(0);
      const torch = (JSON.parse(out.stdout) as { probabilities: number[] }).probabilities;
      const ours = e.probabilities[i]!;
      expect(Math.max(...torch.map((p, k) => Math.abs(p - (ours[k] as number))))).toBeLessThan(1e-3);
    }
    fs.rmSync(e.dir, { recursive: true, force: true });
  });
});
