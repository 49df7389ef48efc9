import { CATALOG, offeredFor } from '../../models/catalog';
import { chooseCatalogModel, isBusy, useStudio } from '../../state';
import { DownloadBar } from './DownloadBar';

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

function params(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e6 ? 2 : 1)}M parameters`;
}

/** The catalog: the bundled model and hosted ones (downloaded once, then kept in browser storage). */
export function CatalogCards() {
  const modelId = useStudio((s) => s.modelId);
  const summary = useStudio((s) => s.summary);
  const pending = useStudio((s) => s.pendingModelId);
  const cached = useStudio((s) => s.cachedModels);
  const busy = useStudio((s) => isBusy(s.status));
  const task = useStudio((s) => s.text.task);
  return (
    <div className="catalog" role="radiogroup" aria-label="Pre-trained model">
      {CATALOG.filter((m) => offeredFor(m.id, task)).map((m) => {
        const on = m.id === modelId;
        const loading = pending === m.id;
        const isCached = cached.includes(m.id);
        return (
          <button
            type="button"
            key={m.id}
            role="radio"
            aria-checked={on}
            aria-busy={loading}
            disabled={busy || (pending !== null && !loading)}
            className={`catalog-card ${on ? 'catalog-card-on' : ''}`}
            data-testid={`model.option.${m.id}`}
            data-selected={on}
            data-cached={m.source === 'hosted' ? isCached : undefined}
            onClick={() => void chooseCatalogModel(m.id)}
          >
            <span className="catalog-name">
              {m.name}
              {m.source === 'hosted' && (
                <span className={`badge ${isCached ? 'badge-ok' : ''}`} data-testid={`model.cached.${m.id}`}>
                  {isCached ? 'cached' : 'download'}
                </span>
              )}
            </span>
            <span className="catalog-facts">
              {mb(m.sizeBytes)} · input {m.inputSize}×{m.inputSize} · {params(m.params)} · pixels in [{m.inputRange.join(', ')}]
              {summary && on ? ` · ${summary.layers.length} layers` : ''}
            </span>
            <span className="catalog-good">Good for: {m.goodFor}</span>
            <span className="catalog-licence">Licence: {m.licence}</span>
            <span className="catalog-prov">{m.provenance}</span>
            {loading && <DownloadBar />}
          </button>
        );
      })}
    </div>
  );
}
