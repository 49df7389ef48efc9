/**
 * A LoRA run on an imported BERT or DistilBERT classifier exports, beside the merged
 * `model.safetensors`, the adapter alone as PEFT writes it for `task_type: "SEQ_CLS"`. Checked against
 * PEFT's own rules, written out here (not the code under test): PEFT's merge on `nn.Linear`,
 * W' = W + (lora_B·lora_A)·alpha/r ([out, r]·[r, in], no transpose), applied to the base checkpoint's
 * tensors, and the `modules_to_save` tensors put in place of the base's, give every tensor of the
 * merged export (< 1e-5); `target_modules`, matched as PEFT matches them (a name, or a `.`-suffix,
 * `modules_to_save` excluded), take exactly the adapted modules; the saved head is the export's; and,
 * with Debian's torch, PyTorch's encoder reading base + adapter gives the studio's probabilities.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../lib/random';
import { runTextTraining } from '../../text/finetune';
import { classifyTexts, createTextModel, disposeTextModel } from '../../text/text-model';
import type { LabelledText, LoraSettings, TextTrainSettings } from '../../text/types';
import { exportHfModel } from './export';
import { readHfModel, type HfInputFile } from './import';
import { readSafetensors, writeSafetensors, type SafetensorsFile } from './safetensors';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'];
const fixture = (name: string) => path.resolve(__dirname, '../../test/fixtures/hf', name);
const folder = (name: string): HfInputFile[] =>
  FILES.map((n) => ({ name: `${name}/${n}`, blob: new Blob([new Uint8Array(fs.readFileSync(path.join(fixture(name), n)))]) }));

const LABELS = ['sea', 'land', 'money'];
const WORDS = [
  ['sea', 'water', 'deep', 'voyage'],
  ['land', 'city', 'country', 'stand'],
  ['money', 'purse', 'paying', 'passenger'],
];
const FILLER = ['the', 'and', 'that', 'all', 'you', 'this', 'for', 'there'];

function texts(seed: number, perClass: number): LabelledText[] {
  const rng = createRng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T;
  const out: LabelledText[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let label = 0; label < 3; label++) {
      out.push({ text: [pick(FILLER), pick(WORDS[label]!), pick(FILLER), pick(WORDS[label]!)].join(' '), label });
    }
  }
  return out;
}

const settingsOf = (lora: LoraSettings, trainableGroups: string[]): TextTrainSettings => ({
  task: 'text-classification',
  seed: 4,
  epochs: 2,
  batchSize: 8,
  learningRate: 0.02,
  optimizer: 'adam',
  weightDecay: 0,
  schedule: { kind: 'constant' },
  dropout: 0,
  trainableGroups,
  pooling: 'mean',
  lora,
});

interface Exported {
  files: Record<string, Uint8Array>;
  sample: string[];
  ids: number[][];
  /** The studio's probabilities of `sample`, row-major [texts, labels]. */
  probabilities: Float32Array;
}

/** Imports the fixture, trains a few LoRA steps (the settings' groups besides), exports; the tensor count is flat across the export. */
async function trainAndExport(name: string, settings: TextTrainSettings): Promise<Exported> {
  const hf = await readHfModel(folder(name));
  const model = createTextModel(tf, hf.saved, { task: 'text-classification', labels: LABELS, pooling: 'mean', seed: 1 }, hf.tokenizer);
  try {
    await runTextTraining(tf, model, { task: 'text-classification', train: texts(1, 8), validation: texts(2, 2) }, settings, () => {});
    const before = tf.memory().numTensors;
    const files = await exportHfModel(
      tf,
      model,
      { name: `hf-internal-testing/${name}`, config: hf.config, sideFiles: hf.sideFiles },
      { lora: settings.lora ?? null, card: '# card', record: { settings } },
    );
    expect(tf.memory().numTensors).toBe(before);
    const sample = texts(3, 1).map((e) => e.text);
    return {
      files,
      sample,
      ids: sample.map((t) => Array.from(hf.tokenizer.encode(t))),
      probabilities: await classifyTexts(tf, model, sample),
    };
  } finally {
    disposeTextModel(model);
  }
}

type Tensor = { shape: number[]; values: Float32Array };
const tensors = (st: SafetensorsFile) =>
  new Map<string, Tensor>(st.names.map((n) => [n, { shape: st.entries.get(n)!.shape.slice(), values: st.read(n) }]));
const maxAbs = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
};

/** PEFT's list matching of target_modules (tuners_utils.check_target_module_exists), modules_to_save excluded. */
function peftTargeted(module: string, config: { target_modules: string[]; modules_to_save: string[] }): boolean {
  if (config.modules_to_save.some((m) => new RegExp(`(^|.*\\.)${m}($|\\..*)`).test(module))) return false;
  return config.target_modules.some((t) => module === t || module.endsWith(`.${t}`));
}

interface Rebuilt {
  /** The base checkpoint with the adapter applied as PEFT applies it. */
  weights: Map<string, Tensor>;
  /** Modules that got lora_A / lora_B. */
  adapted: string[];
  /** Names of the whole-module tensors (modules_to_save), as in model.safetensors. */
  saved: string[];
}

/** PEFT's load + merge, by hand: W + (B·A)·alpha/r per adapted module; modules_to_save tensors replace the base's. */
function rebuild(base: Map<string, Tensor>, adapter: Map<string, Tensor>, scale: number): Rebuilt {
  const weights = new Map<string, Tensor>([...base].map(([n, t]) => [n, { shape: t.shape, values: t.values.slice() }]));
  const adapted: string[] = [];
  const saved: string[] = [];
  const prefix = 'base_model.model.';
  for (const [name, t] of adapter) {
    expect(name.startsWith(prefix)).toBe(true);
    const key = name.slice(prefix.length);
    if (key.endsWith('.lora_B.weight')) continue;
    if (!key.endsWith('.lora_A.weight')) {
      expect(weights.has(key), key).toBe(true);
      weights.set(key, t);
      saved.push(key);
      continue;
    }
    const module = key.slice(0, -'.lora_A.weight'.length);
    const a = t; // [r, in]
    const b = adapter.get(`${prefix}${module}.lora_B.weight`)!; // [out, r]
    const w = weights.get(`${module}.weight`)!; // [out, in]
    const [r, fanIn] = a.shape as [number, number];
    const fanOut = b.shape[0] as number;
    expect(b.shape).toEqual([fanOut, r]);
    expect(w.shape).toEqual([fanOut, fanIn]);
    for (let o = 0; o < fanOut; o++) {
      for (let i = 0; i < fanIn; i++) {
        let ba = 0;
        for (let k = 0; k < r; k++) ba += (b.values[o * r + k] as number) * (a.values[k * fanIn + i] as number);
        w.values[o * fanIn + i] = (w.values[o * fanIn + i] as number) + ba * scale;
      }
    }
    adapted.push(module);
  }
  return { weights, adapted, saved };
}

/** Every module name of a checkpoint, containers included: the parents of each tensor. */
const moduleNames = (names: Iterable<string>) =>
  new Set(
    [...names].flatMap((n) =>
      n
        .split('.')
        .slice(0, -1)
        .map((_, k, parts) => parts.slice(0, k + 1).join('.')),
    ),
  );

/** PEFT’s rules on one exported run (config, merge, modules_to_save, target matching); returns base + adapter, merged. */
function checkAgainstPeft(
  name: string,
  e: Exported,
  lora: LoraSettings,
  expected: { targets: string[]; modulesToSave: string[]; saved: string[] },
) {
  const config = JSON.parse(new TextDecoder().decode(e.files['adapter_config.json'])) as {
    target_modules: string[];
    modules_to_save: string[];
  } & Record<string, unknown>;
  expect(config).toMatchObject({
    peft_type: 'LORA',
    task_type: 'SEQ_CLS',
    base_model_name_or_path: `hf-internal-testing/${name}`,
    r: lora.rank,
    lora_alpha: lora.alpha,
    lora_dropout: 0,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    modules_to_save: expected.modulesToSave,
  });
  const base = tensors(readSafetensors(fs.readFileSync(path.join(fixture(name), 'model.safetensors'))));
  const merged = tensors(readSafetensors(e.files['model.safetensors']!));
  const adapter = tensors(readSafetensors(e.files['adapter_model.safetensors']!));
  // PEFT saves without the adapter's name and without the ModulesToSaveWrapper's inner path.
  for (const n of adapter.keys()) expect(n).not.toMatch(/\.default\.|modules_to_save/);

  const { weights, adapted, saved } = rebuild(base, adapter, lora.alpha / lora.rank);
  expect(saved.sort()).toEqual(expected.saved.slice().sort());
  // Base + adapter, merged by PEFT's rule, is the export's merged checkpoint: every tensor.
  expect([...weights.keys()].sort()).toEqual([...merged.keys()].sort());
  let worst = 0;
  for (const [n, t] of merged) {
    expect(weights.get(n)!.shape, n).toEqual(t.shape);
    worst = Math.max(worst, maxAbs(weights.get(n)!.values, t.values));
  }
  expect(worst).toBeLessThan(1e-5);
  // The adapters are not zero: each adapted weight moved off the base.
  for (const m of adapted) expect(maxAbs(merged.get(`${m}.weight`)!.values, base.get(`${m}.weight`)!.values), m).toBeGreaterThan(1e-4);
  // The saved head is the export's, bit for bit.
  for (const n of saved) expect(adapter.get(`base_model.model.${n}`)!.values).toEqual(merged.get(n)!.values);

  // target_modules, as PEFT matches them, take exactly the adapted modules.
  expect(config.target_modules).toEqual(expected.targets);
  const targeted = [...moduleNames(merged.keys())].filter((m) => peftTargeted(m, config));
  expect(targeted.sort()).toEqual(adapted.slice().sort());
  return weights;
}

/** PyTorch's encoder (scripts/hf_reference.py) reading the base checkpoint with the adapter applied: the studio's probabilities. */
function checkWithTorch(arch: 'bert' | 'distilbert', e: Exported, weights: Map<string, Tensor>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `peft-${arch}-`));
  try {
    fs.writeFileSync(path.join(dir, 'config.json'), e.files['config.json']!);
    fs.writeFileSync(path.join(dir, 'model.safetensors'), writeSafetensors([...weights].map(([name, t]) => ({ name, ...t }))));
    const script = path.resolve(__dirname, '../../../scripts/hf_reference.py');
    let worst = 0;
    for (const [i, ids] of e.ids.entries()) {
      const r = spawnSync(PYTHON, [script, 'run', arch, dir, '--ids', JSON.stringify(ids)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const torch = Float32Array.from((JSON.parse(r.stdout) as { probabilities: number[] }).probabilities);
      worst = Math.max(worst, maxAbs(torch, e.probabilities.subarray(i * 3, (i + 1) * 3)));
    }
    expect(worst).toBeLessThan(1e-3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('export.hf of an encoder classifier LoRA run: PEFT’s SEQ_CLS adapter', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  const runs: Record<string, { e: Exported; weights: Map<string, Tensor> }> = {};

  it('BERT: query/key/value split from the fused adapter, the MLP’s by name, pooler and classifier saved whole', async () => {
    const lora: LoraSettings = { rank: 4, alpha: 8, dropout: 0, targets: ['attn.qkv', 'mlp.fc', 'mlp.proj'] };
    const e = await trainAndExport('tiny-bert', settingsOf(lora, ['pooler', 'head']));
    const weights = checkAgainstPeft('tiny-bert', e, lora, {
      // `output.dense` alone would also take attention.output.dense, which has no adapter.
      targets: ['query', 'key', 'value', 'intermediate.dense', 'layer.0.output.dense', 'layer.1.output.dense'],
      modulesToSave: ['pooler', 'classifier'],
      saved: ['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias'],
    });
    const adapter = readSafetensors(e.files['adapter_model.safetensors']!);
    expect(adapter.entries.get('base_model.model.bert.encoder.layer.1.attention.self.key.lora_A.weight')?.shape).toEqual([4, 32]);
    expect(adapter.entries.get('base_model.model.bert.encoder.layer.1.attention.self.key.lora_B.weight')?.shape).toEqual([32, 4]);
    expect(adapter.entries.get('base_model.model.bert.encoder.layer.0.output.dense.lora_A.weight')?.shape).toEqual([4, 64]);
    runs.bert = { e, weights };
  });

  it('DistilBERT: every target, and pre_classifier saved with the classifier though the pooler was frozen', async () => {
    const lora: LoraSettings = { rank: 2, alpha: 6, dropout: 0, targets: ['attn.qkv', 'attn.proj', 'mlp.fc', 'mlp.proj'] };
    const e = await trainAndExport('tiny-distilbert', settingsOf(lora, ['head']));
    const weights = checkAgainstPeft('tiny-distilbert', e, lora, {
      targets: ['q_lin', 'k_lin', 'v_lin', 'out_lin', 'lin1', 'lin2'],
      modulesToSave: ['pre_classifier', 'classifier'],
      saved: ['pre_classifier.weight', 'pre_classifier.bias', 'classifier.weight', 'classifier.bias'],
    });
    const adapter = readSafetensors(e.files['adapter_model.safetensors']!);
    expect(adapter.names).toContain('base_model.model.distilbert.transformer.layer.0.attention.v_lin.lora_B.weight');
    runs.distilbert = { e, weights };
  });

  it('writes no adapter alone when the encoder’s own weights trained too', async () => {
    const lora: LoraSettings = { rank: 2, alpha: 2, dropout: 0 };
    const e = await trainAndExport('tiny-bert', { ...settingsOf(lora, ['block_1', 'head']), epochs: 1 });
    expect(Object.keys(e.files)).not.toContain('adapter_model.safetensors');
    expect(Object.keys(e.files)).not.toContain('adapter_config.json');
    expect(Object.keys(e.files)).toContain('model.safetensors');
  });

  it.runIf(hasTorch)('PyTorch’s BERT and DistilBERT, reading base + adapter, give the studio’s probabilities (< 1e-3)', () => {
    expect(runs.bert && runs.distilbert).toBeTruthy();
    checkWithTorch('bert', runs.bert!.e, runs.bert!.weights);
    checkWithTorch('distilbert', runs.distilbert!.e, runs.distilbert!.weights);
  });
});
