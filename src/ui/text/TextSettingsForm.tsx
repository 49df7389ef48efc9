import { isBusy, updateTextSettings, useShallow, useStudio } from '../../state';
import { TextNumber } from './TextNumber';

/** The text tasks' training settings: the four basic numbers, optimisation and regularisation, and (generation) the sample prompt. */
export function TextSettingsForm() {
  const { st, task, busy, context } = useStudio(
    useShallow(({ text: t }) => ({ st: t.settings, task: t.task, busy: isBusy(t.status), context: t.base?.config.contextLength ?? 0 })),
  );
  return (
    <>
      <div className="hp-grid">
        <TextNumber
          label="Learning rate"
          help="Size of each update. 1e-3 suits fine-tuning blocks; a lone head takes 1e-2."
          value={st.learningRate}
          min={1e-6}
          max={1}
          testId="hp.learning-rate"
          disabled={busy}
          onChange={(v) => updateTextSettings({ learningRate: v })}
        />
        <TextNumber
          label="Batch size"
          help="Windows (generation) or texts (classification) per update."
          value={st.batchSize}
          min={1}
          max={256}
          integer
          testId="hp.batch-size"
          disabled={busy}
          onChange={(v) => updateTextSettings({ batchSize: v })}
        />
        <TextNumber
          label="Epochs"
          help="Passes over the training text. Watch validation loss: stop when it turns up."
          value={st.epochs}
          min={1}
          max={200}
          integer
          testId="hp.epochs"
          disabled={busy}
          onChange={(v) => updateTextSettings({ epochs: v })}
        />
        <TextNumber
          label="Validation split"
          help="Share held out to measure progress honestly (never trained on)."
          value={st.validationSplit}
          min={0.05}
          max={0.5}
          testId="hp.validation-split"
          disabled={busy}
          onChange={(v) => updateTextSettings({ validationSplit: v })}
        />
        {task === 'text-generation' && context > 0 && (
          <TextNumber
            label="Context"
            help={`Tokens per training window (the model reads up to ${context}). Shorter windows need less memory per step; attention grows with the square.`}
            value={Math.min(st.contextLength ?? context, context)}
            min={2}
            max={context}
            integer
            testId="hp.context"
            disabled={busy}
            onChange={(v) => updateTextSettings({ contextLength: v >= context ? null : v })}
          />
        )}
      </div>
      <details className="section">
        <summary>
          <strong>Optimisation & regularisation</strong>{' '}
          <span className="muted">
            {st.optimizer}, {st.schedule}, dropout {st.dropout}
          </span>
        </summary>
        <div className="hp-grid">
          <label className="field">
            <span>Optimizer</span>
            <select
              data-testid="text.optimizer"
              value={st.optimizer}
              disabled={busy}
              onChange={(e) => updateTextSettings({ optimizer: e.target.value as 'adam' | 'adamw' | 'sgd' })}
            >
              <option value="adam">Adam</option>
              <option value="adamw">AdamW (decoupled weight decay)</option>
              <option value="sgd">SGD with momentum</option>
            </select>
          </label>
          <label className="field">
            <span>Schedule</span>
            <select
              data-testid="text.schedule"
              value={st.schedule}
              disabled={busy}
              onChange={(e) => updateTextSettings({ schedule: e.target.value as 'constant' | 'cosine' | 'warmup-cosine' })}
            >
              <option value="constant">Constant</option>
              <option value="cosine">Cosine decay</option>
              <option value="warmup-cosine">Warm-up, then cosine</option>
            </select>
          </label>
          <TextNumber
            label="Weight decay"
            help="Pulls weights toward zero; 0.01 with AdamW is a common start."
            value={st.weightDecay}
            min={0}
            max={1}
            disabled={busy}
            onChange={(v) => updateTextSettings({ weightDecay: v })}
          />
          <TextNumber
            label="Dropout"
            help="Randomly silences activations while training, against overfitting."
            value={st.dropout}
            min={0}
            max={0.9}
            disabled={busy}
            onChange={(v) => updateTextSettings({ dropout: v })}
          />
          <label className="field check">
            <input
              type="checkbox"
              checked={st.earlyStopping}
              disabled={busy}
              onChange={(e) => updateTextSettings({ earlyStopping: e.target.checked })}
            />{' '}
            Early stopping on validation loss (restores the best epoch)
          </label>
          {st.earlyStopping && (
            <TextNumber
              label="Patience"
              help="Epochs without improvement before stopping."
              value={st.patience}
              min={1}
              max={50}
              integer
              disabled={busy}
              onChange={(v) => updateTextSettings({ patience: v })}
            />
          )}
        </div>
      </details>
      {task === 'text-generation' && (
        <label className="field">
          <span>Sample prompt (a sample is written after each epoch)</span>
          <input
            type="text"
            data-testid="text.sample-prompt"
            value={st.samplePrompt}
            disabled={busy}
            onChange={(e) => updateTextSettings({ samplePrompt: e.target.value })}
          />
        </label>
      )}
    </>
  );
}
