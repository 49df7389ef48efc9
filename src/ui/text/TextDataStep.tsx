import { useRef } from 'react';
import { addTextFiles, chooseColumns, clearTextData, isBusy, loadTextSample, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { DropZone } from '../common/DropZone';
import { Step } from '../common/Step';

function ColumnSelect(props: {
  label: string;
  testId: string;
  columns: string[];
  value: string | null;
  disabled: boolean;
  onChange: (column: string) => void;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <select
        data-testid={props.testId}
        value={props.value ?? ''}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.columns.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
    </label>
  );
}

const kb = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/** Step 1 for text tasks: a corpus of documents (generation) or a table with a text and a label column (classification). */
export function TextDataStep() {
  const s = useStudio(
    useShallow(({ text: t }) => ({
      task: t.task,
      corpus: t.corpus,
      table: t.table,
      textColumn: t.textColumn,
      labelColumn: t.labelColumn,
      examples: t.examples,
      dataBusy: t.dataBusy,
      dataError: t.dataError,
      busy: isBusy(t.status),
    })),
  );
  const input = useRef<HTMLInputElement>(null);
  const generation = s.task === 'text-generation';
  const accept = generation ? '.txt,.md,.jsonl,text/plain,text/markdown' : '.csv,.tsv,.jsonl,text/csv';
  const count = generation ? s.corpus.length : (s.examples?.examples.length ?? 0);
  const classes = generation ? 0 : (s.examples?.labels.length ?? 0);
  const bytes = s.corpus.reduce((n, d) => n + d.bytes, 0);
  return (
    <Step step="data">
      <DropZone onDrop={(data) => void addTextFiles([...data.files])}>
        <p className="dropzone-title">{generation ? 'Drop text files here' : 'Drop a CSV, TSV or JSONL file here'}</p>
        <div className="buttons">
          <button type="button" className="btn" disabled={s.busy || s.dataBusy} onClick={() => input.current?.click()}>
            Choose files…
          </button>
          <button
            type="button"
            className="btn"
            data-testid="dataset.sample"
            disabled={s.busy || s.dataBusy}
            onClick={() => void loadTextSample()}
          >
            {generation ? 'Use the sample (Moby Dick, chapters 1–5)' : 'Use the sample (spam vs ham e-mails)'}
          </button>
          {count > 0 && (
            <button type="button" className="btn btn-ghost" disabled={s.busy} onClick={clearTextData}>
              Clear
            </button>
          )}
        </div>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept={accept}
          data-testid="dataset.file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void addTextFiles(files);
          }}
        />
      </DropZone>
      {s.dataBusy && <p className="muted">Reading…</p>}
      {s.dataError && <Alert testId="dataset.error">{s.dataError}</Alert>}

      <p className="summary" data-testid="dataset.summary" data-images={count} data-classes={classes} data-task={s.task}>
        {generation
          ? count === 0
            ? 'No text yet.'
            : `${count} document${count === 1 ? '' : 's'}, ${kb(bytes)} of text (${bytes.toLocaleString()} bytes).`
          : s.examples
            ? `${count} examples in ${classes} classes from ${s.table?.name ?? 'the table'}.`
            : 'No table yet.'}
      </p>

      {generation && s.corpus.length > 0 && (
        <ul className="doc-list">
          {s.corpus.slice(0, 50).map((d) => (
            <li key={d.name}>
              <strong>{d.name}</strong> <span className="muted">{kb(d.bytes)}</span> —{' '}
              <span className="doc-peek">{d.text.slice(0, 120)}</span>
            </li>
          ))}
          {s.corpus.length > 50 && <li className="muted">…and {s.corpus.length - 50} more</li>}
        </ul>
      )}

      {!generation && s.table && (
        <>
          <div className="field-row">
            <ColumnSelect
              label="Text column"
              testId="dataset.text-column"
              columns={s.table.columns}
              value={s.textColumn}
              disabled={s.busy}
              onChange={(c) => chooseColumns(c, s.labelColumn ?? '')}
            />
            <ColumnSelect
              label="Label column"
              testId="dataset.label-column"
              columns={s.table.columns}
              value={s.labelColumn}
              disabled={s.busy}
              onChange={(c) => chooseColumns(s.textColumn ?? '', c)}
            />
          </div>
          {s.examples && (
            <>
              <ul className="class-counts" data-testid="dataset.classes">
                {s.examples.labels.map((l, i) => (
                  <li key={l}>
                    <strong>{l}</strong> {s.examples?.counts[i]}
                  </li>
                ))}
              </ul>
              {s.examples.warnings.map((w) => (
                <Alert key={w.kind + w.message} tone="warning">
                  {w.message}
                </Alert>
              ))}
              <table className="table text-preview">
                <thead>
                  <tr>
                    <th scope="col">label</th>
                    <th scope="col">text</th>
                  </tr>
                </thead>
                <tbody>
                  {s.examples.examples.slice(0, 5).map((e) => (
                    <tr key={e.id}>
                      <td>{e.label}</td>
                      <td>{e.text.slice(0, 160)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </Step>
  );
}
