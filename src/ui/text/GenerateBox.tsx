import { useState } from 'react';
import { generateText, isBusy, updateTextSettings, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { TextNumber } from './TextNumber';

/** Text generation's try-it: a prompt, the sampling settings, and what the fine-tuned model writes. */
export function GenerateBox() {
  const { generated, generating, tryError, st, busy, vocab } = useStudio(
    useShallow(({ text: t }) => ({
      generated: t.generated,
      generating: t.generating,
      tryError: t.tryError,
      st: t.settings,
      busy: isBusy(t.status),
      vocab: t.base?.tokenizer.vocabSize ?? 259,
    })),
  );
  const [prompt, setPrompt] = useState('Call me');
  return (
    <div className="generate">
      <h3>Write with your model</h3>
      <label className="field">
        <span>Prompt</span>
        <textarea data-testid="generate.prompt" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </label>
      <div className="hp-grid">
        <TextNumber
          label="Temperature"
          help="0 = always the likeliest token (greedy); higher = more surprising."
          value={st.temperature}
          min={0}
          max={2}
          testId="generate.temperature"
          onChange={(v) => updateTextSettings({ temperature: v })}
        />
        <TextNumber
          label="Top-k"
          help="Sample only among the k likeliest tokens (0 = all)."
          value={st.topK}
          min={0}
          max={vocab}
          integer
          testId="generate.top-k"
          onChange={(v) => updateTextSettings({ topK: v })}
        />
        <TextNumber
          label="Top-p"
          help="Sample only among the likeliest tokens that together hold this share of the probability (1 = all)."
          value={st.topP}
          min={0.01}
          max={1}
          testId="generate.top-p"
          onChange={(v) => updateTextSettings({ topP: v })}
        />
        <TextNumber
          label="Max length"
          help="Tokens to write at most (it stops earlier at the end-of-text token)."
          value={st.maxTokens}
          min={1}
          max={1000}
          integer
          testId="generate.max-tokens"
          onChange={(v) => updateTextSettings({ maxTokens: v })}
        />
      </div>
      <button
        type="button"
        className="btn btn-primary"
        data-testid="generate.run"
        disabled={generating || busy}
        onClick={() => void generateText(prompt)}
      >
        {generating ? 'Writing…' : 'Generate'}
      </button>
      {tryError && <Alert>{tryError}</Alert>}
      <pre className="sample-text generate-output" data-testid="generate.output" aria-live="polite">
        {generated === null ? (
          ''
        ) : (
          <>
            <span className="muted">{prompt}</span>
            {generated}
          </>
        )}
      </pre>
    </div>
  );
}
