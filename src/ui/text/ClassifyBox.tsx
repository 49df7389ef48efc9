import { useState } from 'react';
import { classifyText, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';

/** Text classification's try-it: a text in, the fine-tuned model's label probabilities out. */
export function ClassifyBox(props: { labels: string[] }) {
  const { classified, tryError } = useStudio(useShallow(({ text: t }) => ({ classified: t.classified, tryError: t.tryError })));
  const [text, setText] = useState('');
  return (
    <>
      <h3>Try it</h3>
      <label className="field">
        <span>Text to classify</span>
        <textarea data-testid="text.try-input" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" className="btn" data-testid="text.try-run" onClick={() => void classifyText(text)}>
        Classify
      </button>
      {tryError && <Alert>{tryError}</Alert>}
      {classified && (
        <ol className="prediction-bars" data-testid="text.try-result">
          {props.labels
            .map((l, i) => ({ l, p: classified.probabilities[i] ?? 0 }))
            .sort((a, b) => b.p - a.p)
            .map(({ l, p }) => (
              <li key={l}>
                <strong>{l}</strong> {(p * 100).toFixed(1)}%
              </li>
            ))}
        </ol>
      )}
    </>
  );
}
