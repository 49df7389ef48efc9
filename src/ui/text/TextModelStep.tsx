import {
  isBusy,
  setTextTrainable,
  textGroups,
  textTrainableParams,
  toggleTextGroup,
  updateTextSettings,
  useShallow,
  useStudio,
  switchToBundledTextModel,
  TEXT_LM,
} from '../../state';
import { presetGroups } from '../../text/groups';
import { Alert } from '../common/Alert';
import { Step } from '../common/Step';
import { HfImport } from './HfImport';
import { LoraPanel } from './LoraPanel';

function describe(group: string, task: string, params: number): string {
  if (group === 'embeddings') return 'token and position embeddings — what each token and place means';
  if (group === 'final_norm') return 'the last layer norm';
  if (group === 'head' && params === 0) return 'the output head, tied to the token embeddings (it trains with them)';
  if (group === 'head')
    return task === 'text-generation'
      ? 'the output head: hidden state → next-token scores'
      : 'the new classifier: pooled features → label scores';
  const b = /^block_(\d+)$/.exec(group);
  return b ? `transformer block ${Number(b[1]) + 1}: self-attention + MLP` : group;
}

/** Step 2 for text tasks: the bundled language model and which of its parts train. */
export function TextModelStep() {
  const s = useStudio(
    useShallow(({ text: t }) => ({
      task: t.task,
      base: t.base,
      baseState: t.baseState,
      baseError: t.baseError,
      trainable: t.trainable,
      labels: t.examples?.labels.length ?? 2,
      pooling: t.settings.pooling,
      params: textTrainableParams(t),
      busy: isBusy(t.status),
    })),
  );
  const groups = textGroups(s.base, s.task, s.labels);
  const total = groups.reduce((n, g) => n + g.params, 0);
  const on = new Set(s.trainable);
  const config = s.base?.config;
  const imported = s.base !== null && s.base.source !== 'bundled';
  const facts = (b: NonNullable<typeof s.base>) =>
    `${(b.parameters / 1e6).toFixed(2)} M parameters · context ${b.config.contextLength} tokens · width ${b.config.width} · ${b.config.blocks} blocks · ${b.tokenizer.vocabSize.toLocaleString('en')}-token vocabulary`;
  return (
    <Step step="model">
      <div className="catalog" role="radiogroup" aria-label="Pre-trained model">
        <button
          type="button"
          role="radio"
          aria-checked={!imported}
          className={`catalog-card ${imported ? '' : 'catalog-card-on'}`}
          data-testid={`model.option.${TEXT_LM.id}`}
          data-selected={imported ? undefined : true}
          disabled={s.busy}
          onClick={() => void switchToBundledTextModel()}
        >
          <span className="catalog-name">{TEXT_LM.name}</span>
          <span className="catalog-facts">{s.base && !imported ? facts(s.base) : imported ? 'the studio’s own model' : 'loading…'}</span>
          <span className="catalog-good">
            Good for: short English text in a style; sorting short texts by topic or tone. A small GPT-2 with a byte-level BPE tokenizer:
            any text is representable, English most compactly.
          </span>
          <span className="catalog-licence">
            Licence: weights trained in this repo (MIT) on public-domain Moby Dick and State of the Union addresses.
          </span>
        </button>
        {imported && s.base && (
          <button
            type="button"
            role="radio"
            aria-checked
            className="catalog-card catalog-card-on"
            data-testid="model.option.imported"
            data-selected
          >
            <span className="catalog-name">{s.base.name}</span>
            <span className="catalog-facts">{facts(s.base)}</span>
            <span className="catalog-good">
              {s.base.source === 'files'
                ? 'A text generator exported by the studio (or trained by a job), imported: new runs continue from its weights.'
                : `Imported from your Hugging Face files (${s.base.architecture ?? ''}, ${s.base.tokenizer.kind} tokenizer).`}
            </span>
          </button>
        )}
      </div>
      <HfImport />
      {s.base && (
        <p
          className="model-notes"
          data-testid="model.loaded"
          data-value={s.base.name}
          data-params={s.base.parameters}
          data-source={s.base.source}
        >
          <strong>{s.base.name}</strong> <span className="muted">· {s.base.parameters.toLocaleString('en')} parameters</span>
        </p>
      )}
      {s.baseState === 'loading' && <p className="muted">Loading the language model…</p>}
      {s.baseError && <Alert>{s.baseError}</Alert>}
      {config && (
        <>
          <div className="buttons freeze-presets">
            <button
              type="button"
              className="btn"
              data-testid="freeze.preset.head-only"
              disabled={s.busy}
              onClick={() => setTextTrainable(presetGroups(config, { kind: 'head-only' }))}
            >
              Head only
            </button>
            <button
              type="button"
              className="btn"
              data-testid="freeze.preset.top-blocks"
              disabled={s.busy}
              onClick={() => setTextTrainable(presetGroups(config, { kind: 'top-blocks', blocks: 1 }))}
            >
              Top block + head
            </button>
            <button
              type="button"
              className="btn"
              data-testid="freeze.preset.full"
              disabled={s.busy}
              onClick={() => setTextTrainable(presetGroups(config, { kind: 'full' }))}
            >
              Everything
            </button>
          </div>
          <p className="freeze-stats">
            <strong data-testid="freeze.trainable-params" data-value={s.params}>
              {s.params.toLocaleString()}
            </strong>{' '}
            of {total.toLocaleString()} parameters train.{' '}
            {s.task === 'text-classification' && !s.trainable.some((g) => g !== 'head')
              ? 'Only the head trains: the pooled features of each text are computed once, so epochs are fast.'
              : 'Frozen parts keep their pre-trained weights.'}
          </p>
          <table className="table layer-table">
            <thead>
              <tr>
                <th scope="col">trains</th>
                <th scope="col">part</th>
                <th scope="col">what it is</th>
                <th scope="col" className="num">
                  parameters
                </th>
              </tr>
            </thead>
            <tbody>
              {[...groups].reverse().map((g) => (
                <tr key={g.name}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${g.name} trains`}
                      data-testid={`freeze.layer.${g.name}`}
                      checked={on.has(g.name)}
                      disabled={s.busy}
                      onChange={(e) => toggleTextGroup(g.name, e.target.checked)}
                    />
                  </td>
                  <td>
                    <code>{g.name}</code>
                  </td>
                  <td>{describe(g.name, s.task, g.params)}</td>
                  <td className="num">{g.params.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {(s.task === 'text-generation' || imported) && <LoraPanel />}
          {s.task === 'text-classification' && config.arch !== 'bert' && (
            <label className="field">
              <span>Pooling</span>
              <select
                data-testid="text.pooling"
                value={s.pooling}
                disabled={s.busy}
                onChange={(e) => updateTextSettings({ pooling: e.target.value as 'mean' | 'last' })}
              >
                <option value="mean">Mean of all tokens (robust for topics)</option>
                <option value="last">Last token (what the model read last)</option>
              </select>
            </label>
          )}
        </>
      )}
    </Step>
  );
}
