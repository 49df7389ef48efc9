/**
 * Importing a Hugging Face model folder (src/models/hf/import.ts): the committed tiny GPT-2 loads
 * whole or sharded with identical weights, and every kind of unusable folder is refused with a
 * sentence that names what is wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../lib/errors';
import { readHfModel, type HfInputFile } from './import';
import { readSafetensors, writeSafetensors } from './safetensors';

const DIR = path.resolve(__dirname, '../../test/fixtures/hf/tiny-gpt2');
const bytes = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const file = (name: string, data: Uint8Array | string = bytes(name)): HfInputFile => ({
  name: `tiny-gpt2/${name}`,
  blob: new Blob([typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>)]),
});
const folder = () =>
  ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors'].map((n) => file(n));
const without = (files: HfInputFile[], name: string) => files.filter((f) => !f.name.endsWith(`/${name}`));

async function refusal(files: HfInputFile[], maxBytes?: number): Promise<string> {
  try {
    await readHfModel(files, maxBytes);
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError);
    return (err as StudioError).userMessage;
  }
  throw new Error('the import was not refused');
}

describe('readHfModel', () => {
  it('reads the folder: weights, tokenizer, side files and the parameter count', async () => {
    const m = await readHfModel(folder());
    expect(m.architecture).toBe('gpt2');
    expect(m.name).toBe('tiny-gpt2');
    expect(m.saved.config).toMatchObject({ vocabSize: 320, contextLength: 16, width: 16, blocks: 2, heads: 2 });
    // wte 320·16 + wpe 16·16 + 2 blocks + ln_f: every number of the safetensors file but none twice.
    const st = readSafetensors(bytes('model.safetensors'));
    const stored = [...st.entries.values()].reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
    expect(m.parameters).toBe(stored);
    expect(m.tokenizer.vocabSize).toBe(320);
    expect(m.tokenizer.eos).toBe(319);
    expect(m.tokenizer.decode(m.tokenizer.encode('Call me Ishmael.'))).toBe('Call me Ishmael.');
    expect(Object.keys(m.sideFiles).sort()).toEqual(['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']);
  });

  it('reads a sharded checkpoint to the same weights', async () => {
    const st = readSafetensors(bytes('model.safetensors'));
    const names = st.names;
    const half = Math.ceil(names.length / 2);
    const shard = (part: string[]) => writeSafetensors(part.map((n) => ({ name: n, shape: st.entries.get(n)!.shape, values: st.read(n) })));
    const weightMap = Object.fromEntries(
      names.map((n, i) => [n, i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors']),
    );
    const files = [
      ...without(folder(), 'model.safetensors'),
      file('model-00001-of-00002.safetensors', shard(names.slice(0, half))),
      file('model-00002-of-00002.safetensors', shard(names.slice(half))),
      file('model.safetensors.index.json', JSON.stringify({ metadata: {}, weight_map: weightMap })),
    ];
    const whole = await readHfModel(folder());
    const sharded = await readHfModel(files);
    expect(sharded.saved.weightSpecs).toEqual(whole.saved.weightSpecs);
    expect(new Float32Array(sharded.saved.weights)).toEqual(new Float32Array(whole.saved.weights));
  });

  it('refuses what it cannot use, naming it', async () => {
    expect(await refusal(without(folder(), 'config.json'))).toMatch(/config\.json is missing/);
    const bert = JSON.stringify({ ...JSON.parse(new TextDecoder().decode(bytes('config.json'))), model_type: 'llama' });
    expect(await refusal([...without(folder(), 'config.json'), file('config.json', bert)])).toMatch(/model_type “llama”/);
    expect(await refusal(without(folder(), 'tokenizer.json'))).toMatch(/tokenizer\.json is missing/);
    expect(await refusal([...without(folder(), 'model.safetensors'), file('pytorch_model.bin', 'x')])).toMatch(
      /“pytorch_model\.bin”.*safetensors/,
    );
    expect(await refusal(without(folder(), 'model.safetensors'))).toMatch(/model\.safetensors is missing/);
    const index = JSON.stringify({ weight_map: { 'wte.weight': 'model-00001-of-00002.safetensors' } });
    expect(await refusal([...without(folder(), 'model.safetensors'), file('model.safetensors.index.json', index)])).toMatch(
      /names the shard “model-00001-of-00002\.safetensors”, which was not given/,
    );
    expect(await refusal(folder(), 1000)).toMatch(/over the studio's size limit of 0\.0 GB/);
    // A tensor whose shape disagrees with config.json.
    const st = readSafetensors(bytes('model.safetensors'));
    const bad = writeSafetensors(
      st.names.map((n) => {
        const e = st.entries.get(n)!;
        const wrong = n.endsWith('wpe.weight');
        return { name: n, shape: wrong ? [8, 32] : e.shape, values: st.read(n) };
      }),
    );
    expect(await refusal([...without(folder(), 'model.safetensors'), file('model.safetensors', bad)])).toMatch(
      /“transformer\.wpe\.weight” has shape \[8, 32\], but config\.json implies \[16, 16\]/,
    );
    expect(await refusal([...without(folder(), 'model.safetensors'), file('model.safetensors', 'not safetensors at all')])).toMatch(
      /not a safetensors file/,
    );
  });
});
