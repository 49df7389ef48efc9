/**
 * The training job's zip (`export.job`, ./README.md): the run as it would start here — its record,
 * starting weights and the dataset's own files under a manifest — beside train.py, pinned requirements
 * and a README with the commands. Plain data in, zip entries out: no DOM, no tfjs, so it runs in Node.
 */
import { zipSync, type Zippable } from 'fflate';
import type { ImageRunRecord } from '../engine/run-record';
import { sha256Hex } from '../data/hash';
import type { TextJobStart } from '../text/job';

/** An image of the run's data: its bytes as the person gave them, with their SHA-256 (hex) and split. */
export interface JobImage {
  id: string;
  label: string;
  /** The file's name without folders. */
  name: string;
  bytes: Uint8Array;
  sha256: string;
  split: 'train' | 'val';
}

export interface JobInput {
  /** The zip's one top-level folder (`<project>-job`). */
  folder: string;
  /** The record a run started here would write (`settings.headLayer` resolved, metrics empty). */
  record: ImageRunRecord;
  /** The head's layer names, and the chosen backbone layers by block, top first (`JobStart`). */
  head: readonly string[];
  parts: readonly { name: string; layers: readonly string[] }[];
  images: readonly JobImage[];
  /** The starting model: model.json and weights.bin. */
  weights: readonly { name: string; data: ArrayBuffer | Uint8Array }[];
  /** train.py's text, as it is. */
  trainPy: string;
  /** ISO time the job was made. */
  createdAt: string;
}

export interface ManifestFile {
  path: string;
  label: string;
  split: 'train' | 'val';
  sha256: string;
  id: string;
}

/**
 * The Keras layer classes and activations train.py builds (its `LAYERS` and `ACTIVATIONS`;
 * src/job/train.test.ts keeps the lists equal). An input layer needs no building.
 */
export const JOB_LAYER_CLASSES = [
  'Activation',
  'Add',
  'AveragePooling2D',
  'BatchNormalization',
  'Concatenate',
  'Conv2D',
  'Dense',
  'DepthwiseConv2D',
  'Dropout',
  'Flatten',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'MaxPooling2D',
  'Multiply',
  'ReLU',
  'SpatialDropout2D',
  'ZeroPadding2D',
] as const;
export const JOB_ACTIVATIONS = ['elu', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus', 'swish', 'tanh'] as const;

/** Why train.py could not build a model of these layers, naming the first it cannot; null when it can. */
export function jobLayerProblem(layers: readonly { name: string; className: string; activation?: unknown }[]): string | null {
  const classes: readonly string[] = JOB_LAYER_CLASSES;
  const activations: readonly string[] = JOB_ACTIVATIONS;
  for (const l of layers) {
    if (l.className === 'InputLayer') continue;
    if (!classes.includes(l.className)) {
      return `The training job cannot rebuild this model in PyTorch: its layer ${l.name} is a ${l.className}, which train.py does not build yet (it builds ${classes.join(', ')}). Train it here, or choose another model in step 2.`;
    }
    if (typeof l.activation === 'string' && !activations.includes(l.activation)) {
      return `The training job cannot rebuild this model in PyTorch: its layer ${l.name} uses the activation ${l.activation}, which train.py does not build yet. Train it here, or choose another model in step 2.`;
    }
  }
  return null;
}

/** The versions the tests run train.py with (Debian bookworm's). */
export const REQUIREMENTS = ['torch==1.13.1', 'numpy==1.24.2', 'Pillow==9.4.0'];

const enc = new TextEncoder();
const json = (value: unknown) => enc.encode(`${JSON.stringify(value, null, 2)}\n`);

/** A class name or file name as one path segment: no separators or control characters, never `.` or `..`. */
export function safeSegment(name: string): string {
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[/\\\u0000-\u001f]/g, '_').trim();
  return s === '' || s === '.' || s === '..' ? '_' : s;
}

/**
 * Each image's path in the job, `data/<label>/<file name>`, in the order given: a second file of the
 * same name in a class gets `-2`, `-3` before its extension. Names are compared without case, so the
 * folder unpacks the same on case-insensitive file systems (macOS, Windows).
 */
export function dataPaths(images: readonly Pick<JobImage, 'label' | 'name'>[]): string[] {
  const taken = new Set<string>();
  return images.map((img) => {
    const name = safeSegment(img.name);
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    const dir = `data/${safeSegment(img.label)}/`;
    let path = `${dir}${name}`;
    for (let n = 2; taken.has(path.toLowerCase()); n++) path = `${dir}${stem}-${n}${ext}`;
    taken.add(path.toLowerCase());
    return path;
  });
}

/** data/manifest.json: every file with its label, split (the studio's, never recomputed) and hash. */
export function dataManifest(images: readonly JobImage[], paths: readonly string[]) {
  const files: ManifestFile[] = images.map((img, i) => ({
    path: paths[i] ?? '',
    label: img.label,
    split: img.split,
    sha256: img.sha256,
    id: img.id,
  }));
  return { format: 'finetune-studio-data', version: 1, files };
}

/** config.json: the run's record with the job's own fields (./README.md). */
export function jobConfig<R extends object, P>(input: { record: R; head: readonly string[]; parts: P; createdAt: string }) {
  return {
    ...input.record,
    job: { format: 'finetune-studio-job', version: 1, createdAt: input.createdAt, head: [...input.head], parts: input.parts },
  };
}

/** The README's commands: one process, torchrun on one or N machines, or torchrun's variables set by hand. */
const RUN_IT = (batchSize: number) => `## Run it

\`\`\`sh
pip install -r requirements.txt
python train.py --out OUT                 # one process
python train.py --out OUT --epochs 20     # another number of epochs
\`\`\`

On one machine with K GPUs:

\`\`\`sh
torchrun --nproc_per_node=K train.py --out OUT
\`\`\`

On N machines (run on each, with R = 0 … N-1 and HOST:PORT an address of the first machine that the others can reach):

\`\`\`sh
torchrun --nnodes=N --node_rank=R --nproc_per_node=K --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT train.py --out OUT
\`\`\`

Without \`torchrun\` (a scheduler that starts one process per GPU itself), set in each process what \`torchrun\` would:
the first machine's address, the process's rank among all of them and on its machine, and how many there are. Two
processes on one machine:

\`\`\`sh
MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 RANK=0 LOCAL_RANK=0 WORLD_SIZE=2 python train.py --out OUT &
MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 RANK=1 LOCAL_RANK=1 WORLD_SIZE=2 python train.py --out OUT
\`\`\`

The batch size in \`config.json\` (${batchSize}) is the global batch: it is split across the processes, each taking
its share of every batch, so the number of processes does not change the steps an epoch takes. \`train.py\` checks every file against \`data/manifest.json\` before it starts and
names any file that is missing or changed.

`;

/** The job's README.md: what it holds, the commands, and the way back into the studio. */
export function jobReadme(input: Pick<JobInput, 'folder' | 'record' | 'images'>): string {
  const { record, images, folder } = input;
  const s = record.settings;
  const count = (split: string) => images.filter((i) => i.split === split).length;
  return `# ${folder}: a fine-tuning run for PyTorch

Made by the fine-tuning studio on ${record.startedAt.slice(0, 10)}: ${record.model.name} fine-tuned as an image classifier of
${record.labels.length} classes (${record.labels.join(', ')}) on ${count('train')} training and ${count('val')} validation images,
${s.epochs} epochs at batch size ${s.batchSize} and learning rate ${s.learningRate} (${s.optimizer}), input ${record.input.imageSize}×${record.input.imageSize} px.

| file | what it is |
| --- | --- |
| \`train.py\` | the training script: runs alone, or data-parallel under \`torchrun\` |
| \`config.json\` | the run as the studio would start it: every setting, the labels, the split's digests, the layers that train |
| \`weights/\` | the starting model (TF.js Layers \`model.json\`, \`weights.bin\`): the pre-trained layers and the new head |
| \`data/\` | the images, byte for byte, one folder per class; \`data/manifest.json\` gives each its class, split and SHA-256 |

${RUN_IT(s.batchSize)}## What OUT holds

- \`metrics.jsonl\`: one line per epoch (\`epoch\`, \`train_loss\`, \`train_accuracy\`, \`val_loss\`, \`val_accuracy\`,
  \`learning_rate\`, \`world_size\`, \`seconds\`); epoch 0 is the model before its first step.
- \`checkpoint.pt\`: written after every epoch. Run the same command with the same \`--out OUT\` to resume from it.
- \`log.txt\`: what the run said.
- \`model.zip\`: the fine-tuned model as a studio export (\`model.json\`, \`weights.bin\`, \`metadata.json\`).

## Back into the studio

In the studio, open the project, go to step 2 (Model), open "Use your own model" and choose \`OUT/model.zip\` and
\`OUT/metrics.jsonl\` together under "Choose model files…": the model becomes the current one, and the run comes back
with its curves. \`model.zip\` also loads on its own anywhere TF.js runs (\`tf.loadLayersModel\`).
`;
}

/** The job's files under its one top-level folder, by path. */
export function jobEntries(input: JobInput): Record<string, Uint8Array> {
  const paths = dataPaths(input.images);
  const at = (path: string) => `${input.folder}/${path}`;
  const entries: Record<string, Uint8Array> = {
    [at('train.py')]: enc.encode(input.trainPy),
    [at('config.json')]: json(jobConfig(input)),
    [at('requirements.txt')]: enc.encode(`${REQUIREMENTS.join('\n')}\n`),
    [at('README.md')]: enc.encode(jobReadme(input)),
    [at('data/manifest.json')]: json(dataManifest(input.images, paths)),
  };
  for (const f of input.weights) entries[at(`weights/${f.name}`)] = f.data instanceof Uint8Array ? f.data : new Uint8Array(f.data);
  input.images.forEach((img, i) => {
    entries[at(paths[i] ?? '')] = img.bytes;
  });
  return entries;
}

/** The job's zip: the images stored as they are (already compressed), the rest (a text job's data too) deflated. */
export function zipJob(entries: Record<string, Uint8Array>): Uint8Array {
  const tree: Zippable = {};
  for (const [path, data] of Object.entries(entries)) {
    const image = /\/data\//.test(path) && !/\/data\/(manifest\.json|(train|validation)\.(txt|ids))$/.test(path);
    tree[path] = image ? [data, { level: 0 }] : data;
  }
  return zipSync(tree, { level: 6 });
}

// ------------------------------------------------------------------------------------ text generation

/** A text-generation run's job: what the worker's `jobStart` gave (src/text/job.ts), and the run's text. */
export interface TextJobInput {
  folder: string;
  start: TextJobStart;
  /** The training and validation text as the run reads it (the documents of each split, joined by newlines). */
  texts: { train: string; validation: string };
  /** train.py and train_lm.py, as they are. */
  trainPy: string;
  trainLmPy: string;
  createdAt: string;
}

/** A text job's data file in data/manifest.json: the text of a split, or its tokens. */
export interface TextManifestFile {
  path: string;
  split: 'train' | 'val';
  /** 'text': UTF-8 text; 'ids': the tokenizer's ids of that text, little-endian int32. */
  kind: 'text' | 'ids';
  sha256: string;
  /** Tokens (ids) or bytes (text) in the file. */
  count: number;
}

/** Token ids as little-endian int32 bytes, whatever the machine's byte order. */
export function int32le(ids: Int32Array): Uint8Array {
  const out = new Uint8Array(ids.length * 4);
  const view = new DataView(out.buffer);
  ids.forEach((id, i) => view.setInt32(i * 4, id, true));
  return out;
}

/** config.json of a text job: the run's record with the job's own fields (./README.md). */
export function textJobConfig(input: Pick<TextJobInput, 'start' | 'createdAt'>) {
  const { record, head, parts, contextLength, pad, ids } = input.start;
  const config = jobConfig({ record, head, parts, createdAt: input.createdAt });
  return { ...config, job: { ...config.job, contextLength, pad, tokens: { train: ids.train.length, validation: ids.validation.length } } };
}

/** A text job's README.md. */
export function textJobReadme(input: Pick<TextJobInput, 'folder' | 'start'>): string {
  const { record, ids, contextLength, parts, head } = input.start;
  const s = record.settings;
  const groups = [...(head.length ? ['head'] : []), ...parts.map((p) => p.name)].join(', ');
  return `# ${input.folder}: a fine-tuning run for PyTorch

Made by the fine-tuning studio on ${record.startedAt.slice(0, 10)}: ${record.model.name} fine-tuned as a text generator on
${ids.train.length} training and ${ids.validation.length} validation tokens (windows of ${contextLength} tokens),
${s.epochs} epochs at batch size ${s.batchSize} and learning rate ${s.learningRate} (${s.optimizer}); trained groups: ${groups}.

| file | what it is |
| --- | --- |
| \`train.py\` | the training script: runs alone, or data-parallel under \`torchrun\`; it hands a text run to \`train_lm.py\` |
| \`train_lm.py\` | the studio's language model and its training loop in PyTorch |
| \`config.json\` | the run as the studio would start it: every setting, the split's digests, the groups that train |
| \`weights/\` | the starting model as the studio exports a text model (\`model.json\`, \`weights.bin\`, \`tokenizer.json\`, \`lm.js\`, …) |
| \`data/\` | \`train.txt\` and \`validation.txt\`, the text; \`train.ids\` and \`validation.ids\`, its tokens (little-endian int32), so PyTorch needs no tokenizer; \`data/manifest.json\` gives each its split and SHA-256 |

${RUN_IT(s.batchSize)}## What OUT holds

- \`metrics.jsonl\`: one line per epoch (\`epoch\`, \`train_loss\`, \`val_loss\`, \`perplexity\`, \`learning_rate\`,
  \`world_size\`, \`seconds\`); epoch 0 is the model before its first step. Losses are nats per token.
- \`checkpoint.pt\`: written after every epoch. Run the same command with the same \`--out OUT\` to resume from it.
- \`log.txt\`: what the run said.
- \`model.zip\`: the fine-tuned model as the studio's text export (\`model.json\`, \`weights.bin\`, \`tokenizer.json\`,
  \`metadata.json\`, \`lm.js\`, \`README.md\`).

## Using the model

\`model.zip\` is the studio's own text export (what step 4 downloads): \`lm.js\` in it runs the model anywhere TF.js
runs, and its README.md says how.
`;
}

/** A text job's files under its one top-level folder, by path. */
export async function textJobEntries(input: TextJobInput): Promise<Record<string, Uint8Array>> {
  const at = (path: string) => `${input.folder}/${path}`;
  const data: { path: string; split: 'train' | 'val'; kind: 'text' | 'ids'; bytes: Uint8Array; count: number }[] = [];
  for (const [split, name, text, ids] of [
    ['train', 'train', input.texts.train, input.start.ids.train],
    ['val', 'validation', input.texts.validation, input.start.ids.validation],
  ] as const) {
    const bytes = enc.encode(text);
    data.push({ path: `data/${name}.txt`, split, kind: 'text', bytes, count: bytes.length });
    data.push({ path: `data/${name}.ids`, split, kind: 'ids', bytes: int32le(ids), count: ids.length });
  }
  const files: TextManifestFile[] = await Promise.all(
    data.map(async ({ path, split, kind, bytes, count }) => ({ path, split, kind, sha256: await sha256Hex(bytes), count })),
  );
  const entries: Record<string, Uint8Array> = {
    [at('train.py')]: enc.encode(input.trainPy),
    [at('train_lm.py')]: enc.encode(input.trainLmPy),
    [at('config.json')]: json(textJobConfig(input)),
    [at('requirements.txt')]: enc.encode(`${REQUIREMENTS.join('\n')}\n`),
    [at('README.md')]: enc.encode(textJobReadme(input)),
    [at('data/manifest.json')]: json({ format: 'finetune-studio-data', version: 1, files }),
  };
  for (const f of input.start.files) entries[at(`weights/${f.name}`)] = new Uint8Array(f.data);
  for (const d of data) entries[at(d.path)] = d.bytes;
  return entries;
}
