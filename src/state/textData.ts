/** Text actions on the dataset: a corpus of documents (generation) or one table of texts and labels (classification). */
import {
  guessTextColumns,
  ingestTextCorpus,
  ingestTextTable,
  textExamples,
  CORPUS_EXTENSIONS,
  TABLE_EXTENSIONS,
  TextDataError,
} from '../data/text';
import { StudioError, userMessageOf } from '../lib/errors';
import { absolute } from './modelSource';
import { useStudio } from './store';
import { isTextBusy } from './textSelectors';
import { isTextTask } from './textSlice';
import type { TextState } from './types';

const text = () => useStudio.getState().text;
const setText = (patch: Partial<TextState>) => useStudio.getState().setText(patch);

const extOf = (name: string) => /\.([^.]+)$/.exec(name.toLowerCase())?.[1] ?? '';

/**
 * Adds text files: for generation, .txt/.md/.jsonl documents join the corpus; for classification,
 * one .csv/.tsv/.jsonl table replaces the table. A refused file leaves what was loaded as it was.
 */
export async function addTextFiles(files: File[]): Promise<void> {
  const s = text();
  if (!isTextTask(s.task) || files.length === 0 || s.dataBusy || isTextBusy(s.status)) return;
  setText({ dataBusy: true, dataError: null });
  try {
    if (s.task === 'text-generation') {
      const wrong = files.find((f) => !(CORPUS_EXTENSIONS as readonly string[]).includes(extOf(f.name)));
      if (wrong) {
        throw new StudioError(
          'dataset-invalid',
          `“${wrong.name}” is not a text file the language model can learn from. Add .txt, .md or .jsonl files (for a CSV of texts and labels, choose “Text classification” above).`,
        );
      }
      const docs = await ingestTextCorpus(files);
      const names = new Set(docs.map((d) => d.name));
      setText({ corpus: [...text().corpus.filter((d) => !names.has(d.name)), ...docs] });
    } else {
      const file = files.find((f) => (TABLE_EXTENSIONS as readonly string[]).includes(extOf(f.name)));
      if (!file) {
        throw new StudioError(
          'dataset-invalid',
          `${files.length === 1 ? `“${files[0]?.name}” is` : 'These files are'} not a table of texts and labels. Add a .csv, .tsv or .jsonl file with a text column and a label column.`,
        );
      }
      const table = await ingestTextTable(file);
      // More data for the same task keeps the chosen columns: a table without them is refused
      // (naming the missing column) and the loaded one stays. After Clear, columns are guessed anew.
      const kept = s.table && s.textColumn && s.labelColumn ? { textColumn: s.textColumn, labelColumn: s.labelColumn } : null;
      const guess = kept ?? guessTextColumns(table);
      const textColumn = guess.textColumn ?? table.columns[0] ?? null;
      const labelColumn = guess.labelColumn ?? table.columns.find((c) => c !== textColumn) ?? null;
      // Built before it replaces anything: a table that cannot give examples keeps the old one.
      const examples = textColumn && labelColumn ? textExamples(table, { textColumn, labelColumn }) : null;
      setText({ table, textColumn, labelColumn, examples });
    }
  } catch (err) {
    const kept = text().table;
    const missing = err instanceof TextDataError && err.reason === 'missing-column';
    const hint =
      kept && s.task === 'text-classification'
        ? ` The table already loaded (${kept.name}) is kept${missing ? '; to use a table with other columns, press Clear first' : ''}.`
        : '';
    setText({ dataError: userMessageOf(err) + hint });
  } finally {
    setText({ dataBusy: false });
  }
}

/** Chooses the text or label column; a column the table lacks is an alert and the old choice stays. */
export function chooseColumns(textColumn: string, labelColumn: string): void {
  const s = text();
  if (!s.table || isTextBusy(s.status)) return;
  try {
    const examples = textExamples(s.table, { textColumn, labelColumn });
    setText({ textColumn, labelColumn, examples, dataError: null });
  } catch (err) {
    setText({ dataError: userMessageOf(err) });
  }
}

export function clearTextData(): void {
  if (isTextBusy(text().status)) return;
  setText({ corpus: [], table: null, textColumn: null, labelColumn: null, examples: null, dataError: null });
}

export async function loadTextSample(): Promise<void> {
  const s = text();
  if (!isTextTask(s.task)) return;
  try {
    if (s.task === 'text-generation') {
      const base = absolute('./samples/text/');
      const manifest = (await (await fetch(new URL('manifest.json', base))).json()) as { files: string[] };
      const files = await Promise.all(
        manifest.files.map(async (name) => new File([await (await fetch(new URL(name, base))).blob()], name, { type: 'text/plain' })),
      );
      await addTextFiles(files);
    } else {
      const res = await fetch(absolute('./samples/spam-ham.csv'));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await addTextFiles([new File([await res.blob()], 'spam-ham.csv', { type: 'text/csv' })]);
    }
  } catch {
    setText({
      dataError: 'The sample dataset could not be loaded. Check that the studio was built with `npm run build`, then reload.',
    });
  }
}
