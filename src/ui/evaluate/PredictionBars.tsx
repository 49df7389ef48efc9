/** The top five classes of a prediction as bars (`predict.result` unless another test id is given). */
export function PredictionBars({
  probabilities,
  labels,
  testId = 'predict.result',
}: {
  probabilities: number[];
  labels: string[];
  testId?: string;
}) {
  const top = probabilities
    .map((p, i) => ({ label: labels[i] ?? `class ${i}`, p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 5);
  return (
    <ol className="predictions" data-testid={testId} data-probabilities={JSON.stringify(probabilities)}>
      {top.map((t) => (
        <li key={t.label}>
          <span className="pred-label">{t.label}</span>
          <span className="pred-bar">
            <span style={{ width: `${(t.p * 100).toFixed(1)}%` }} />
          </span>
          <span className="num">{(t.p * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ol>
  );
}
