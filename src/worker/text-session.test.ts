/**
 * The worker's text session refuses, with a sentence, to train a model too big for WASM or the CPU
 * (issue 13): a 32.6 M-parameter GPT-2 imported through importTextBase, then trainText on each
 * backend. The refusal comes before any training, and the same model passes the size check on WebGL.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSafetensors, type TensorToWrite } from '../models/hf/safetensors';
import { cpuTrainingRefusal, importTextBase, MAX_CPU_TRAIN_PARAMS, trainText } from './text-session';

const fixture = fileURLToPath(new URL('../test/fixtures/hf/tiny-gpt2/', import.meta.url));

/** A GPT-2 of `blocks` blocks with GPT-2's vocabulary and width 512, all weights zero: 25.7 M parameters of embedding + 3.1 M a block. */
function bigGpt2(blocks: number): Array<{ name: string; blob: Blob }> {
  const V = 50257;
  const P = 1024;
  const D = 512;
  const zeros = (shape: number[]) => new Float32Array(shape.reduce((a, b) => a * b, 1));
  const tensors: TensorToWrite[] = [
    { name: 'wte.weight', shape: [V, D], values: zeros([V, D]) },
    { name: 'wpe.weight', shape: [P, D], values: zeros([P, D]) },
  ];
  for (let i = 0; i < blocks; i++) {
    const p = `h.${i}.`;
    for (const [n, shape] of [
      ['ln_1.weight', [D]],
      ['ln_1.bias', [D]],
      ['attn.c_attn.weight', [D, 3 * D]],
      ['attn.c_attn.bias', [3 * D]],
      ['attn.c_proj.weight', [D, D]],
      ['attn.c_proj.bias', [D]],
      ['ln_2.weight', [D]],
      ['ln_2.bias', [D]],
      ['mlp.c_fc.weight', [D, 4 * D]],
      ['mlp.c_fc.bias', [4 * D]],
      ['mlp.c_proj.weight', [4 * D, D]],
      ['mlp.c_proj.bias', [D]],
    ] as const)
      tensors.push({ name: p + n, shape: [...shape], values: zeros([...shape]) });
  }
  tensors.push({ name: 'ln_f.weight', shape: [D], values: zeros([D]) }, { name: 'ln_f.bias', shape: [D], values: zeros([D]) });
  const config = {
    model_type: 'gpt2',
    _name_or_path: 'big-gpt2',
    vocab_size: V,
    n_positions: P,
    n_embd: D,
    n_layer: blocks,
    n_head: 8,
    layer_norm_epsilon: 1e-5,
    activation_function: 'gelu_new',
  };
  return [
    { name: 'config.json', blob: new Blob([JSON.stringify(config)]) },
    { name: 'tokenizer.json', blob: new Blob([readFileSync(`${fixture}tokenizer.json`)]) },
    { name: 'model.safetensors', blob: new Blob([writeSafetensors(tensors) as Uint8Array<ArrayBuffer>]) },
  ];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the text session on WASM and the CPU', () => {
  it('refuses to train a model over 30 M parameters there, with a sentence, and lets it pass on a GPU backend', async () => {
    const summary = await importTextBase(bigGpt2(2));
    expect(summary.parameters).toBeGreaterThan(MAX_CPU_TRAIN_PARAMS);
    const settings = {
      task: 'text-generation' as const,
      seed: 1,
      epochs: 1,
      batchSize: 1,
      learningRate: 1e-3,
      optimizer: 'adam' as const,
      weightDecay: 0,
      schedule: { kind: 'constant' as const },
      dropout: 0,
      trainableGroups: ['head'],
    };
    const data = { task: 'text-generation' as const, train: 'some text to train on', validation: 'and some to check' };
    const events: unknown[] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await expect(trainText(settings, [], data, (e) => events.push(e), { backend, run: null, onRecord: () => {} })).rejects.toThrow(
        `big-gpt2 has 33 M parameters: too big to train on ${backend === 'wasm' ? 'WASM' : 'the CPU'} in a browser tab`,
      );
    }
    expect(events).toEqual([]); // refused before anything trained
    expect(cpuTrainingRefusal('big-gpt2', summary.parameters, 'webgl')).toBeNull();
    expect(cpuTrainingRefusal('big-gpt2', summary.parameters, 'webgpu')).toBeNull();
    expect(cpuTrainingRefusal('the bundled model', 1_334_016, 'wasm')).toBeNull();
  });
});
