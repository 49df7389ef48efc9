/**
 * A DistilBERT checkpoint in Hugging Face layout (the committed tiny
 * DistilBertForSequenceClassification of src/test/fixtures/hf/tiny-distilbert) loads as the studio's
 * transformer with `arch: 'bert'`, no token types and a ReLU pooler, and gives what PyTorch's
 * independent DistilBERT computed (scripts/hf_reference.py): the last hidden states, the [CLS] state
 * through pre_classifier and ReLU, and the classifier's logits and probabilities; a padded batch gives
 * every text the same as alone; readHfModel reads the folder; and the export's tensors, read by
 * PyTorch's DistilBERT, give the studio's probabilities.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../lib/errors';
import { disposeLm, lmHidden, lmPooled, loadLm, paramShapes } from '../../text/model';
import { classifyTexts, createTextModel, disposeTextModel } from '../../text/text-model';
import { distilbertClassifierConfig, distilbertLmConfig, distilbertNames, distilbertTensors, distilbertToSavedLm } from './distilbert';
import { readHfModel, type HfInputFile } from './import';
import { HF_TASK } from './tasks';
import { readSafetensors, writeSafetensors } from './safetensors';
import { loadHfTokenizer } from './tokenizer';

const DIR = path.resolve(__dirname, '../../test/fixtures/hf/tiny-distilbert');
const read = (name: string) => fs.readFileSync(path.join(DIR, name));
const json = <T>(name: string) => JSON.parse(read(name).toString('utf8')) as T;
const folder = (): HfInputFile[] =>
  ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((n) => ({
    name: `tiny-distilbert/${n}`,
    blob: new Blob([new Uint8Array(read(n))]),
  }));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

let exported: { dir: string; ids: number[][]; probabilities: Float32Array } | null = null;

interface DistilbertCase {
  ids: number[];
  last_hidden_state: number[][];
  pre_classifier_output: number[];
  logits: number[];
  probabilities: number[];
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError);
    return (err as StudioError).userMessage;
  }
  throw new Error('not refused');
};

describe('the tiny DistilBERT fixture against the PyTorch reference', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('maps config.json onto the studio’s BERT without token types, with a ReLU pooler', () => {
    const config = json<Record<string, unknown>>('config.json');
    const lm = distilbertLmConfig(config);
    expect(lm).toEqual({
      arch: 'bert',
      vocabSize: 300,
      contextLength: 64,
      width: 32,
      heads: 2,
      blocks: 2,
      mlpRatio: 2,
      layerNormEps: 1e-12,
      typeVocabSize: 0,
      poolerActivation: 'relu',
    });
    const names = paramShapes(lm).map((p) => p.name);
    expect(names).not.toContain('type_emb');
    expect(names).toContain('pooler.kernel');
    expect(distilbertNames('block1.attn.qkv.kernel')).toEqual([
      'distilbert.transformer.layer.1.attention.q_lin.weight',
      'distilbert.transformer.layer.1.attention.k_lin.weight',
      'distilbert.transformer.layer.1.attention.v_lin.weight',
    ]);
    expect(distilbertNames('pooler.kernel')).toEqual(['pre_classifier.weight']);
    expect(refusal(() => distilbertLmConfig({ ...config, sinusoidal_pos_embds: true }))).toMatch(/sinusoidal_pos_embds/);
    expect(refusal(() => distilbertLmConfig({ ...config, activation: 'relu' }))).toMatch(/activation is “relu”/);
    expect(refusal(() => distilbertLmConfig({ ...config, n_heads: 3 }))).toMatch(/not divisible by n_heads 3/);
  });

  it('gives the reference hidden states, pre-classifier output and class probabilities (< 1e-4)', async () => {
    const config = json<Record<string, unknown>>('config.json');
    const { saved, classifier, newPreClassifier } = distilbertToSavedLm(config, readSafetensors(read('model.safetensors')));
    expect(newPreClassifier).toBe(false);
    expect(classifier?.labels).toEqual(['calm', 'storm', 'whale']);
    const tokenizer = loadHfTokenizer(read('tokenizer.json').toString('utf8'), read('tokenizer_config.json').toString('utf8'));
    const inputs = json<{ inputs: Array<{ text: string; ids: number[] }> }>('inputs.json').inputs;
    const cases = json<{ cases: DistilbertCase[] }>('reference.json').cases;
    const lm = loadLm(tf, saved);
    const H = saved.config.width;
    const K = 3;
    try {
      let worst = 0;
      for (const [i, c] of cases.entries()) {
        expect(tokenizer.encode(inputs[i]!.text)).toEqual(c.ids);
        const T = c.ids.length;
        const [hidden, pooled, logits] = tf.tidy(() => {
          const h = lmHidden(tf, lm, tf.tensor2d([c.ids], [1, T], 'int32'));
          const p = lmPooled(tf, lm, h);
          const l = tf.add(tf.matMul(p, tf.tensor2d(classifier!.kernel, [H, K])), tf.tensor1d(classifier!.bias));
          return [h, p, l];
        });
        worst = Math.max(
          worst,
          maxAbs(await hidden.data(), c.last_hidden_state.flat()),
          maxAbs(await pooled.data(), c.pre_classifier_output),
          maxAbs(await logits.data(), c.logits),
        );
        const probs = tf.tidy(() => tf.softmax(logits));
        expect(maxAbs(await probs.data(), c.probabilities)).toBeLessThan(1e-4);
        tf.dispose([hidden, pooled, logits, probs]);
      }
      expect(worst).toBeLessThan(1e-4);

      // A padded batch (keyMask) gives each text what it gives alone.
      const T = Math.max(...cases.map((c) => c.ids.length));
      const ids = cases.flatMap((c) => [...c.ids, ...new Array<number>(T - c.ids.length).fill(0)]);
      const mask = cases.flatMap((c) => [...c.ids.map(() => 1), ...new Array<number>(T - c.ids.length).fill(0)]);
      const [hidden, pooled] = tf.tidy(() => {
        const h = lmHidden(tf, lm, tf.tensor2d(ids, [cases.length, T], 'int32'), { keyMask: tf.tensor2d(mask, [cases.length, T]) });
        return [h, lmPooled(tf, lm, h)];
      });
      expect(
        maxAbs(
          await pooled.data(),
          cases.flatMap((c) => c.pre_classifier_output),
        ),
      ).toBeLessThan(1e-4);
      // The real positions' hidden states too (padding rows are not compared).
      const rows = (await hidden.array()) as number[][][];
      let padded = 0;
      for (const [b, c] of cases.entries())
        padded = Math.max(padded, maxAbs(rows[b]!.slice(0, c.ids.length).flat(), c.last_hidden_state.flat()));
      expect(padded).toBeLessThan(1e-4);
      tf.dispose([hidden, pooled]);
    } finally {
      disposeLm(lm);
    }
  });

  it('reads the names without the distilbert. prefix, and gives a bare encoder a seeded pre_classifier', () => {
    const config = json<Record<string, unknown>>('config.json');
    const st = readSafetensors(read('model.safetensors'));
    const strip = (n: string) => n.replace(/^distilbert\./, '');
    const bare = readSafetensors(
      writeSafetensors(st.names.map((n) => ({ name: strip(n), shape: st.entries.get(n)!.shape, values: st.read(n) }))),
    );
    const a = distilbertToSavedLm(config, st);
    const b = distilbertToSavedLm(config, bare);
    expect(new Float32Array(b.saved.weights)).toEqual(new Float32Array(a.saved.weights));

    // DistilBertModel (no pre_classifier, no classifier): a new pre_classifier, N(0, 0.02), zero bias; the same for the same seed.
    const encoder = st.names.filter((n) => n.startsWith('distilbert.'));
    const only = readSafetensors(writeSafetensors(encoder.map((n) => ({ name: n, shape: st.entries.get(n)!.shape, values: st.read(n) }))));
    const c = distilbertToSavedLm({ ...config, id2label: undefined }, only, 7);
    expect(c.newPreClassifier).toBe(true);
    expect(c.classifier).toBeNull();
    const at = (saved: typeof c.saved, name: string) => {
      let o = 0;
      for (const s of saved.weightSpecs) {
        const n = s.shape.reduce((x, y) => x * y, 1);
        if (s.name === name) return new Float32Array(saved.weights, o * 4, n);
        o += n;
      }
      throw new Error(name);
    };
    const kernel = at(c.saved, 'pooler.kernel');
    const std = Math.sqrt(kernel.reduce((s, v) => s + v * v, 0) / kernel.length);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    expect(at(c.saved, 'pooler.bias').every((v) => v === 0)).toBe(true);
    expect(at(distilbertToSavedLm({ ...config, id2label: undefined }, only, 7).saved, 'pooler.kernel')).toEqual(kernel);
    expect(at(c.saved, 'block0.attn.qkv.kernel')).toEqual(at(a.saved, 'block0.attn.qkv.kernel'));

    // A tensor of the wrong shape is named.
    const wrong = readSafetensors(
      writeSafetensors(
        st.names.map((n) =>
          n === 'distilbert.transformer.layer.0.ffn.lin1.weight'
            ? { name: n, shape: [32, 64], values: st.read(n) }
            : { name: n, shape: st.entries.get(n)!.shape, values: st.read(n) },
        ),
      ),
    );
    expect(refusal(() => distilbertToSavedLm(config, wrong))).toMatch(
      /“distilbert\.transformer\.layer\.0\.ffn\.lin1\.weight” has shape \[32, 64\]/,
    );
  });

  it('imports through readHfModel as architecture distilbert, for text classification, with a framed tokenizer', async () => {
    const hf = await readHfModel(folder());
    expect(hf.architecture).toBe('distilbert');
    expect(HF_TASK[hf.architecture]).toBe('text-classification');
    expect(hf.name).toBe('tiny-distilbert');
    expect(hf.tokenizerKind).toBe('WordPiece');
    expect(hf.tokenizer.framed).toBe(true);
    const inputs = json<{ inputs: Array<{ text: string; ids: number[] }> }>('inputs.json').inputs;
    expect(Array.from(hf.tokenizer.encode(inputs[0]!.text))).toEqual(inputs[0]!.ids);
    expect(hf.saved.config).toMatchObject({ arch: 'bert', typeVocabSize: 0, poolerActivation: 'relu' });
    // Every number of the checkpoint but the classifier's: the transformer and its pooler (pre_classifier).
    const st = readSafetensors(read('model.safetensors'));
    const all = st.names.reduce((n, name) => n + st.entries.get(name)!.shape.reduce((a, b) => a * b, 1), 0);
    expect(hf.parameters).toBe(all - 3 * 32 - 3);
  });

  it('exports a DistilBertForSequenceClassification: the checkpoint’s own tensors, and a changed model’s', async () => {
    const config = json<Record<string, unknown>>('config.json');
    const ck = distilbertToSavedLm(config, readSafetensors(read('model.safetensors')));
    const hf = await readHfModel(folder());
    const labels = ck.classifier!.labels;
    const model = createTextModel(tf, ck.saved, { task: 'text-classification', labels, pooling: 'mean', seed: 1 }, hf.tokenizer);
    try {
      model.classifier!.kernel.assign(tf.tensor2d(ck.classifier!.kernel, [32, 3]));
      model.classifier!.bias.assign(tf.tensor1d(ck.classifier!.bias));
      // Unchanged, the export holds the checkpoint's names, shapes and values.
      const st = readSafetensors(read('model.safetensors'));
      const tensors = await distilbertTensors(tf, model);
      expect(tensors.map((t) => t.name).sort()).toEqual([...st.names].sort());
      for (const t of tensors) {
        expect(t.shape).toEqual(st.entries.get(t.name)!.shape);
        expect(maxAbs(t.values, st.read(t.name))).toBe(0);
      }
      const out = distilbertClassifierConfig(config, labels);
      expect(out).toMatchObject({
        model_type: 'distilbert',
        architectures: ['DistilBertForSequenceClassification'],
        id2label: { 0: 'calm', 1: 'storm', 2: 'whale' },
        label2id: { calm: 0, storm: 1, whale: 2 },
      });
      const inputs = json<{ inputs: Array<{ text: string }> }>('inputs.json').inputs;
      const cases = json<{ cases: DistilbertCase[] }>('reference.json').cases;
      const texts = inputs.map((i) => i.text);
      expect(
        maxAbs(
          await classifyTexts(tf, model, texts),
          cases.flatMap((c) => c.probabilities),
        ),
      ).toBeLessThan(1e-4);

      // Changed (as fine-tuning changes it): the download's weights, read back, classify as the studio does.
      for (const [name, v] of model.lm.vars) {
        if (name.endsWith('.kernel')) tf.tidy(() => v.assign(tf.add(v, tf.mul(tf.sin(tf.mul(v, 37)), 0.05))));
      }
      const studio = await classifyTexts(tf, model, texts);
      expect(
        maxAbs(
          studio,
          cases.flatMap((c) => c.probabilities),
        ),
      ).toBeGreaterThan(1e-2);
      const files = { 'config.json': JSON.stringify(out), 'model.safetensors': writeSafetensors(await distilbertTensors(tf, model)) };
      const again = distilbertToSavedLm(JSON.parse(files['config.json']), readSafetensors(files['model.safetensors']));
      expect(again.classifier?.labels).toEqual(labels);
      const lm = loadLm(tf, again.saved);
      try {
        for (const [i, c] of cases.entries()) {
          const p = tf.tidy(() =>
            tf.softmax(
              tf.add(
                tf.matMul(
                  lmPooled(tf, lm, lmHidden(tf, lm, tf.tensor2d([c.ids], [1, c.ids.length], 'int32'))),
                  tf.tensor2d(again.classifier!.kernel, [32, 3]),
                ),
                tf.tensor1d(again.classifier!.bias),
              ),
            ),
          );
          expect(maxAbs(await p.data(), studio.subarray(i * 3, (i + 1) * 3))).toBeLessThan(1e-5);
          p.dispose();
        }
      } finally {
        disposeLm(lm);
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-distilbert-'));
      for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
      exported = { dir, ids: cases.map((c) => c.ids), probabilities: studio };
    } finally {
      disposeTextModel(model);
    }
  });

  it.runIf(hasTorch)('PyTorch’s DistilBERT, reading the download, gives the studio’s probabilities (< 1e-3)', () => {
    expect(exported).not.toBeNull();
    const e = exported!;
    const script = path.resolve(__dirname, '../../../scripts/hf_reference.py');
    try {
      let worst = 0;
      for (const [i, ids] of e.ids.entries()) {
        const r = spawnSync(PYTHON, [script, 'run', 'distilbert', e.dir, '--ids', JSON.stringify(ids)], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const torch = (JSON.parse(r.stdout) as { probabilities: number[] }).probabilities;
        worst = Math.max(worst, maxAbs(torch, e.probabilities.subarray(i * 3, (i + 1) * 3)));
      }
      expect(worst).toBeLessThan(1e-3);
    } finally {
      fs.rmSync(e.dir, { recursive: true, force: true });
    }
  });
});
