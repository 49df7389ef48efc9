/** Code to load the download in one's own page, folded under "Use it in your own page". */
export function UsageSnippet({ code }: { code: string }) {
  return (
    <details className="snippet">
      <summary>Use it in your own page</summary>
      <pre>
        <code>{code}</code>
      </pre>
    </details>
  );
}
