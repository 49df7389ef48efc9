/**
 * LoRA against full fine-tuning of the same GPT-2-format model, side by side in one process (issue 13):
 * time per training step and peak tensor memory, on tfjs' WASM backend in Node. The model is a GPT-2
 * checkpoint in Hugging Face layout (seeded random weights, 4 blocks of width 192, a 2,048-token
 * byte-level BPE vocabulary trained on Moby Dick, context 64) read through the studio's own import
 * path; both runs train on the same Moby Dick windows with the same batch size, seed and optimizer.
 * Random weights do not change the cost of a step, which is all this measures.
 *
 * Run by `npm run bench` (or alone: `npx tsx bench/lora.ts`); writes bench/lora-results.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { trainByteLevelBpe } from '../scripts/lib/bpe';
import { nodeModuleFiles, startNodeBackend } from '../scripts/lib/node-tf';
import { createRng } from '../src/lib/random';
import { readHfModel } from '../src/models/hf/import';
import { writeSafetensors, type TensorToWrite } from '../src/models/hf/safetensors';
import { MOBY_DICK, normaliseWhitespace, readCorpus } from '../src/text/corpus';
import { runTextTraining } from '../src/text/finetune';
import { presetGroups } from '../src/text/groups';
import { createTextModel, disposeTextModel } from '../src/text/text-model';
import type { TextTrainSettings } from '../src/text/types';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = { model_type: 'gpt2', vocab_size: 2048, n_positions: 64, n_embd: 192, n_layer: 4, n_head: 4, n_inner: null };
const STEPS = 8;
const BATCH = 8;

/** A seeded GPT-2 checkpoint in transformers' names and layouts. */
function checkpoint(): Uint8Array {
  const rng = createRng(7);
  const D = CONFIG.n_embd;
  const tensors: TensorToWrite[] = [];
  const add = (name: string, shape: number[], centre = 0, scale = 0.02) =>
    tensors.push({
      name: `transformer.${name}`,
      shape,
      values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => centre + (rng() * 2 - 1) * scale),
    });
  add('wte.weight', [CONFIG.vocab_size, D]);
  add('wpe.weight', [CONFIG.n_positions, D]);
  for (let l = 0; l < CONFIG.n_layer; l++) {
    const p = `h.${l}.`;
    add(`${p}ln_1.weight`, [D], 1, 0);
    add(`${p}ln_1.bias`, [D], 0, 0);
    add(`${p}attn.c_attn.weight`, [D, 3 * D]);
    add(`${p}attn.c_attn.bias`, [3 * D], 0, 0);
    add(`${p}attn.c_proj.weight`, [D, D]);
    add(`${p}attn.c_proj.bias`, [D], 0, 0);
    add(`${p}ln_2.weight`, [D], 1, 0);
    add(`${p}ln_2.bias`, [D], 0, 0);
    add(`${p}mlp.c_fc.weight`, [D, 4 * D]);
    add(`${p}mlp.c_fc.bias`, [4 * D], 0, 0);
    add(`${p}mlp.c_proj.weight`, [4 * D, D]);
    add(`${p}mlp.c_proj.bias`, [D], 0, 0);
  }
  add('ln_f.weight', [D], 1, 0);
  add('ln_f.bias', [D], 0, 0);
  return writeSafetensors(tensors);
}

interface Measured {
  trainable_params: number;
  ms_per_step: number;
  peak_mb: number;
  steps: number;
}

async function main() {
  const backend = await startNodeBackend(path.join(root, 'node_modules'));
  const text = normaliseWhitespace(readCorpus(MOBY_DICK, nodeModuleFiles(path.join(root, 'node_modules'))));
  const tokenizer = trainByteLevelBpe([text.slice(0, 400_000)], CONFIG.vocab_size, { specials: ['<|endoftext|>'] });
  const blob = (data: Uint8Array | string) => new Blob([typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>)]);
  const hf = await readHfModel([
    { name: 'config.json', blob: blob(JSON.stringify(CONFIG)) },
    { name: 'tokenizer.json', blob: blob(JSON.stringify(tokenizer)) },
    { name: 'model.safetensors', blob: blob(checkpoint()) },
  ]);
  // Enough text for STEPS batches of BATCH windows of 128 tokens, and a small validation text.
  const ids = hf.tokenizer.encode(text.slice(400_000, 500_000));
  const perStep = BATCH * CONFIG.n_positions;
  const train = hf.tokenizer.decode(ids.subarray(0, STEPS * perStep + 1));
  const validation = hf.tokenizer.decode(ids.subarray(STEPS * perStep + 1, STEPS * perStep + 1 + 2 * perStep));

  const base: TextTrainSettings = {
    task: 'text-generation',
    seed: 1,
    epochs: 1,
    batchSize: BATCH,
    learningRate: 1e-4,
    optimizer: 'adam',
    weightDecay: 0,
    schedule: { kind: 'constant' },
    dropout: 0,
    trainableGroups: [],
    maxValidationWindows: BATCH,
  };
  const runs: Record<string, TextTrainSettings> = {
    lora: { ...base, lora: { rank: 8, alpha: 16, dropout: 0, targets: ['attn.qkv'] } },
    full: { ...base, trainableGroups: presetGroups(hf.saved.config, { kind: 'full' }).filter((g) => g !== 'head') },
  };
  const measured: Record<string, Measured> = {};
  // Interleaved, twice: the second pass is what counts (the first warms the WASM kernels of both).
  for (const pass of [0, 1]) {
    for (const [name, settings] of Object.entries(runs)) {
      const model = createTextModel(tf, hf.saved, { task: 'text-generation', tied: true }, hf.tokenizer);
      const times: number[] = [];
      let last = 0;
      let trainable = 0;
      const profile = await tf.profile(async () => {
        await runTextTraining(tf, model, { task: 'text-generation', train, validation }, settings, (e) => {
          if (e.type === 'initial') {
            trainable = e.trainableParams;
            last = performance.now();
          } else if (e.type === 'batch') {
            const now = performance.now();
            times.push(now - last);
            last = now;
          }
        });
        return tf.scalar(0);
      });
      disposeTextModel(model);
      // The first step builds the optimizer's slots; the mean is over the others.
      const steady = times.slice(1);
      if (pass === 1) {
        measured[name] = {
          trainable_params: trainable,
          ms_per_step: Math.round(steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length)),
          peak_mb: Math.round(profile.peakBytes / 2 ** 20),
          steps: times.length,
        };
      }
    }
  }
  const lora = measured.lora!;
  const full = measured.full!;
  const results = {
    command: 'npx tsx bench/lora.ts (part of npm run bench)',
    date: new Date().toISOString(),
    backend,
    model: {
      ...CONFIG,
      parameters: hf.parameters,
      note: 'GPT-2 layout, seeded random weights, read through the studio import; tied output',
    },
    batch: BATCH,
    context: CONFIG.n_positions,
    lora: { ...lora, settings: 'rank 8, alpha 16, on c_attn; every base weight frozen' },
    full: { ...full, settings: 'every weight trains (the tied embeddings too)' },
    lora_vs_full: {
      time_per_step: Number((lora.ms_per_step / full.ms_per_step).toFixed(2)),
      peak_memory: Number((lora.peak_mb / full.peak_mb).toFixed(2)),
      trainable_params: Number((lora.trainable_params / full.trainable_params).toFixed(4)),
    },
  };
  fs.writeFileSync(path.join(root, 'bench/lora-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    [
      '| GPT-2 format, 4 × 192, WASM | trainable | ms / step | peak MB |',
      '| --- | ---: | ---: | ---: |',
      `| LoRA r=8 on c_attn | ${lora.trainable_params.toLocaleString('en')} | ${lora.ms_per_step} | ${lora.peak_mb} |`,
      `| full fine-tuning | ${full.trainable_params.toLocaleString('en')} | ${full.ms_per_step} | ${full.peak_mb} |`,
      `| LoRA / full | ${results.lora_vs_full.trainable_params} | ${results.lora_vs_full.time_per_step} | ${results.lora_vs_full.peak_memory} |`,
    ].join('\n'),
  );
}

await main();
