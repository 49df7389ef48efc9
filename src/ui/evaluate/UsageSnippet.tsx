/** Code to load the download in one's own page, folded under "Use it in your own page" (or another `summary`). */
export function UsageSnippet({ code, summary = 'Use it in your own page' }: { code: string; summary?: string }) {
  return (
    <details className="snippet">
      <summary>{summary}</summary>
      <pre>
        <code>{code}</code>
      </pre>
    </details>
  );
}
