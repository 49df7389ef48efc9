/** Seeded train/validation splits for text: stratified for classification, held-out text for generation. */
import { createRng, deriveSeed, shuffled } from '../lib/random';
import { quote } from './format';
import { splitDataset } from './split';
import { TextDataError } from './text-errors';
import { utf8Length } from './text-read';
import type { TextDocument, TextExample, TextSplit } from './text-types';

/**
 * Stratified by label through `splitDataset` (same seed, same split, whatever the row order; a class
 * of two or more keeps one on each side). Both parts keep the input order. With valFraction > 0,
 * throws `too-few-examples` when no class has two examples, so validation would be empty.
 */
export function splitTextExamples(examples: readonly TextExample[], valFraction: number, seed: number): TextSplit<TextExample> {
  const val = new Set(splitDataset(examples, valFraction, seed).val);
  const split: TextSplit<TextExample> = { train: [], val: [] };
  for (const e of examples) (val.has(e.id) ? split.val : split.train).push(e);
  if (valFraction > 0 && split.val.length === 0) {
    throw new TextDataError(
      'too-few-examples',
      'There are too few examples to hold any back for validation. Give each class at least 2 examples; 20 or more works better.',
    );
  }
  return split;
}

/** A single document is cut into at most this many pieces, each assigned to train or validation. */
export const HOLDOUT_PIECES = 20;
/** Pieces are at least this many characters when the text allows. */
const MIN_PIECE_CHARS = 500;

/**
 * Holds back about `valFraction` of the characters for validation; never an empty validation part
 * nor an empty training part (the fraction is kept within [0.01, 0.99]).
 *
 * Two or more documents are split by document: in a seeded order, a document goes to validation
 * while it fits in what is left of the share; if none fits, the shortest does. One document is cut
 * into pieces at line breaks (or spaces) and a seeded choice of pieces is held out; neighbouring
 * pieces on the same side are joined again, named `name (part k of n)`.
 * Throws `too-little-text` for no documents, or a single one too short to cut in two.
 */
export function splitTextCorpus(documents: readonly TextDocument[], valFraction: number, seed: number): TextSplit<TextDocument> {
  const fraction = Number.isFinite(valFraction) ? Math.min(Math.max(valFraction, 0.01), 0.99) : 0.1;
  const rng = createRng(deriveSeed(seed, 'text-holdout'));
  const [only] = documents;
  if (!only) throw new TextDataError('too-little-text', 'There is no text yet. Add .txt, .md or .jsonl files.');
  return documents.length === 1 ? splitOne(only, fraction, rng) : splitByDocument(documents, fraction, rng);
}

function splitByDocument(documents: readonly TextDocument[], fraction: number, rng: () => number): TextSplit<TextDocument> {
  // Sorted first, so the split does not depend on the order the files were dropped in.
  const indexes = documents.map((_, i) => i).sort((a, b) => compareDocs(documents[a], documents[b]));
  const order = shuffled(indexes, rng);
  const total = documents.reduce((n, d) => n + d.text.length, 0);
  const target = fraction * total;
  const val = new Set<number>();
  let valChars = 0;
  for (const i of order) {
    const length = documents[i]?.text.length ?? 0;
    if (valChars + length <= target) {
      val.add(i);
      valChars += length;
    }
  }
  if (val.size === 0) {
    let shortest = order[0] ?? 0;
    for (const i of order) if ((documents[i]?.text.length ?? 0) < (documents[shortest]?.text.length ?? 0)) shortest = i;
    val.add(shortest);
  }
  const split: TextSplit<TextDocument> = { train: [], val: [] };
  documents.forEach((d, i) => (val.has(i) ? split.val : split.train).push(d));
  return split;
}

function compareDocs(a: TextDocument | undefined, b: TextDocument | undefined): number {
  const [x, y] = [a ?? { name: '', text: '' }, b ?? { name: '', text: '' }];
  if (x.name !== y.name) return x.name < y.name ? -1 : 1;
  return x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
}

function splitOne(doc: TextDocument, fraction: number, rng: () => number): TextSplit<TextDocument> {
  const text = doc.text;
  const cuts = cutPoints(text, Math.min(HOLDOUT_PIECES, Math.max(2, Math.floor(text.length / MIN_PIECE_CHARS))));
  const pieces = cuts.length - 1;
  if (pieces < 2) {
    throw new TextDataError('too-little-text', `${quote(doc.name)} is too short to hold any of it back for validation. Add more text.`, {
      file: doc.name,
    });
  }
  const nVal = Math.min(Math.max(Math.round(pieces * fraction), 1), pieces - 1);
  const val = new Set(shuffled([...Array(pieces).keys()], rng).slice(0, nVal));
  // Runs of neighbouring pieces on the same side become one document.
  const runs: Array<{ start: number; end: number; isVal: boolean }> = [];
  for (let p = 0; p < pieces; p++) {
    const isVal = val.has(p);
    const last = runs[runs.length - 1];
    if (last && last.isVal === isVal) last.end = cuts[p + 1] ?? text.length;
    else runs.push({ start: cuts[p] ?? 0, end: cuts[p + 1] ?? text.length, isVal });
  }
  const split: TextSplit<TextDocument> = { train: [], val: [] };
  runs.forEach((r, k) => {
    const part = text.slice(r.start, r.end);
    const piece = { name: `${doc.name} (part ${k + 1} of ${runs.length})`, text: part, bytes: utf8Length(part) };
    (r.isVal ? split.val : split.train).push(piece);
  });
  return split;
}

/**
 * `pieces + 1` increasing offsets from 0 to text.length (fewer when the text is too short): each cut
 * moves to just after the nearest line break, else space, within a fifth of a piece of its ideal
 * place, and never between the two halves of a surrogate pair.
 */
export function cutPoints(text: string, pieces: number): number[] {
  const size = text.length / pieces;
  const reach = Math.max(1, Math.floor(size / 5));
  const cuts = [0];
  for (let k = 1; k < pieces; k++) {
    const ideal = Math.round(k * size);
    let cut = nearestAfter(text, ideal, reach, '\n') ?? nearestAfter(text, ideal, reach, ' ') ?? ideal;
    if (isLowSurrogate(text.charCodeAt(cut))) cut++;
    const prev = cuts[cuts.length - 1] ?? 0;
    if (cut > prev && cut < text.length) cuts.push(cut);
  }
  cuts.push(text.length);
  return cuts;
}

/** The offset just after the `ch` closest to `ideal` within `reach`, or null. */
function nearestAfter(text: string, ideal: number, reach: number, ch: string): number | null {
  for (let d = 0; d <= reach; d++) {
    for (const at of [ideal - 1 - d, ideal - 1 + d]) {
      if (at >= 0 && at < text.length - 1 && text[at] === ch) return at + 1;
    }
  }
  return null;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
