/**
 * An imported GPT-2 through the whole studio path (issue 13): the committed tiny checkpoint writes
 * the reference's greedy text through its own tokenizer; LoRA fine-tuning on text of a new style
 * lowers the held-out loss while every base weight stays bit-identical; and the `export.hf` files
 * load back (as the studio imports any checkpoint) to the same logits, with the PEFT adapter merging
 * onto the base checkpoint by PEFT's rule (W + (B·A)ᵀ·alpha/r for Conv1D) to the merged weights.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTextTraining } from '../../text/finetune';
import { disposeLm, generate, lmLogits, lmLoss, loadLm, shiftWindows, type Lm } from '../../text/model';
import { createTextModel, disposeTextModel, generateText } from '../../text/text-model';
import type { TextTrainSettings } from '../../text/types';
import { exportHfModel } from './export';
import { readHfModel, type HfInputFile } from './import';
import { gpt2ToSavedLm } from './gpt2';
import { readSafetensors } from './safetensors';

const DIR = path.resolve(__dirname, '../../test/fixtures/hf/tiny-gpt2');
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const folder = (): HfInputFile[] =>
  ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors'].map((n) => ({
    name: n,
    blob: new Blob([read(n)]),
  }));

/** Text in a style the random checkpoint never saw: short ship's-log lines. */
function logbook(seed: number, lines: number): string {
  const winds = ['north', 'south', 'east', 'west'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`Day ${(seed * 7 + i) % 30}: wind ${winds[(seed + i) % 4]}, sea calm, all well.`);
  return out.join('\n');
}

async function logitsOf(lm: Lm, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(tf, lm, tf.tensor2d([ids], [1, ids.length], 'int32')));
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

/** Debian's python3 with torch (scripts/hf_reference.py needs it; .ci/run installs python3-torch). */
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

/** What the studio computed with the fine-tuned model, for the PyTorch reference to compute again from the download. */
let exported: { files: Record<string, Uint8Array>; prompt: number[]; greedy: number[]; held: number[]; loss: number } | null = null;

const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

describe('an imported GPT-2: generate, LoRA fine-tune, export.hf', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('writes the reference greedy continuation through its own tokenizer', async () => {
    const hf = await readHfModel(folder());
    const model = createTextModel(tf, hf.saved, { task: 'text-generation', tied: true }, hf.tokenizer);
    const reference = JSON.parse(new TextDecoder().decode(read('reference.json'))) as {
      models: { 'model.safetensors': { cases: Array<{ ids: number[]; greedy: number[] }> } };
    };
    const cases = reference.models['model.safetensors'].cases;
    const prompts = (JSON.parse(new TextDecoder().decode(read('inputs.json'))) as { prompts: Array<{ text: string }> }).prompts;
    try {
      for (const [i, c] of cases.entries()) {
        const prompt = prompts[i]!.text;
        if (prompt === '<|endoftext|>') continue; // an empty prompt starts from it: checked below
        const greedy = c.greedy.slice(0, c.greedy.includes(319) ? c.greedy.indexOf(319) : undefined);
        const text = await generateText(tf, model, prompt, { maxTokens: c.greedy.length, temperature: 0, topK: 0, seed: 1 });
        expect(text).toBe(hf.tokenizer.decode(greedy));
      }
      const fromEmpty = await generateText(tf, model, '', { maxTokens: 12, temperature: 0, topK: 0, seed: 1 });
      expect(fromEmpty).toBe(hf.tokenizer.decode(cases[0]!.greedy));
    } finally {
      disposeTextModel(model);
    }
  });

  it('trains adapters alone, lowers the held-out loss, and exports what transformers and PEFT load', async () => {
    const hf = await readHfModel(folder());
    const model = createTextModel(tf, hf.saved, { task: 'text-generation', tied: true }, hf.tokenizer);
    const lora = { rank: 4, alpha: 8, dropout: 0, targets: ['attn.qkv' as const, 'mlp.fc' as const] };
    const settings: TextTrainSettings = {
      task: 'text-generation',
      seed: 3,
      epochs: 5,
      batchSize: 8,
      learningRate: 0.03,
      optimizer: 'adam',
      weightDecay: 0,
      schedule: { kind: 'constant' },
      dropout: 0,
      trainableGroups: [],
      lora,
    };
    const baseBefore = new Map([...model.lm.vars].map(([n, v]) => [n, v.dataSync().slice()]));
    try {
      const result = await runTextTraining(
        tf,
        model,
        { task: 'text-generation', train: logbook(1, 60), validation: logbook(5, 12) },
        settings,
        () => {},
      );
      expect(result.epochs).toBe(5);
      // A broken adapter path (no gradient, no update) leaves the loss where it started.
      expect(result.final.valLoss).toBeLessThan(result.initial.valLoss * 0.8);
      for (const [n, v] of model.lm.vars) expect(v.dataSync()).toEqual(baseBefore.get(n));
      expect(model.lm.lora?.vars.size).toBe(2 * 2 * 2);

      const files = await exportHfModel(
        tf,
        model,
        { name: 'tiny-gpt2', config: hf.config, sideFiles: hf.sideFiles },
        {
          lora,
          card: '# card',
          record: {},
        },
      );
      expect(Object.keys(files).sort()).toEqual([
        'README.md',
        'adapter_config.json',
        'adapter_model.safetensors',
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'studio-run.json',
        'tokenizer.json',
        'tokenizer_config.json',
      ]);
      expect(files['tokenizer.json']).toEqual(read('tokenizer.json'));
      // The merged checkpoint, imported again, gives the fine-tuned model's logits.
      const again = loadLm(
        tf,
        gpt2ToSavedLm(JSON.parse(new TextDecoder().decode(files['config.json'])), readSafetensors(files['model.safetensors']!)),
      );
      const ids = Array.from(hf.tokenizer.encode('Day 3: wind east, sea'));
      try {
        expect(maxAbs(await logitsOf(again, ids), await logitsOf(model.lm, ids))).toBeLessThan(1e-4);
      } finally {
        disposeLm(again);
      }
      // PEFT's rule on the base checkpoint: W + (B·A)ᵀ × alpha/r, per adapted Conv1D module.
      const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json'])) as Record<string, unknown>;
      expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, fan_in_fan_out: true, target_modules: ['c_attn', 'c_fc'] });
      const adapter = readSafetensors(files['adapter_model.safetensors']!);
      const baseSt = readSafetensors(read('model.safetensors'));
      const merged = readSafetensors(files['model.safetensors']!);
      let worst = 0;
      let modules = 0;
      for (const name of adapter.names.filter((n) => n.endsWith('lora_A.weight'))) {
        const module = name.slice('base_model.model.'.length, -'.lora_A.weight'.length); // transformer.h.0.attn.c_attn
        const a = adapter.read(name); // [r, in]
        const b = adapter.read(`base_model.model.${module}.lora_B.weight`); // [out, r]
        const [r, fanIn] = adapter.entries.get(name)!.shape as [number, number];
        const fanOut = adapter.entries.get(`base_model.model.${module}.lora_B.weight`)!.shape[0] as number;
        const w = baseSt.read(`${module}.weight`); // [in, out]
        const got = merged.read(`${module}.weight`);
        for (let i = 0; i < fanIn; i++) {
          for (let o = 0; o < fanOut; o++) {
            let ba = 0;
            for (let k = 0; k < r; k++) ba += (b[o * r + k] as number) * (a[k * fanIn + i] as number);
            worst = Math.max(worst, Math.abs((w[i * fanOut + o] as number) + (ba * 8) / 4 - (got[i * fanOut + o] as number)));
          }
        }
        modules++;
      }
      expect(modules).toBe(4);
      expect(worst).toBeLessThan(1e-4);
      // And the update is real: the merged weights are not the base ones.
      expect(maxAbs(merged.read('transformer.h.0.attn.c_attn.weight'), baseSt.read('transformer.h.0.attn.c_attn.weight'))).toBeGreaterThan(
        1e-3,
      );

      // What the studio writes and measures, for the reference to compute from the download (below).
      const held = Array.from(hf.tokenizer.encode('Day 9: wind north, sea calm, all well.')).slice(0, 16);
      const loss = tf.tidy(() => {
        const { inputs, targets } = shiftWindows(tf, tf.tensor2d([held], [1, held.length], 'int32'));
        return lmLoss(tf, model.lm, inputs, targets);
      });
      const greedy = Array.from(await generate(tf, model.lm, ids, { maxTokens: 12, temperature: 0 }));
      exported = { files, prompt: ids, greedy, held, loss: (await loss.data())[0] as number };
      loss.dispose();
    } finally {
      disposeTextModel(model);
    }
  });

  it.runIf(hasTorch)(
    'the PyTorch reference, reading the export.hf download, writes the same greedy tokens and measures the same loss',
    () => {
      expect(exported).not.toBeNull();
      const e = exported!;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-export-'));
      for (const [name, data] of Object.entries(e.files)) fs.writeFileSync(path.join(dir, name), data);
      const script = path.resolve(__dirname, '../../../scripts/hf_reference.py');
      const run = (ids: number[], greedy: number) => {
        const out = spawnSync(PYTHON, [script, 'run', 'gpt2', dir, '--ids', JSON.stringify(ids), '--greedy', String(greedy)], {
          encoding: 'utf8',
        });
        expect(out.status, out.stderr).toBe(0);
        return JSON.parse(out.stdout) as { greedy: number[]; loss: number };
      };
      expect(run(e.prompt, 12).greedy).toEqual(e.greedy);
      expect(Math.abs(run(e.held, 0).loss - e.loss)).toBeLessThan(1e-4);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
});
