import { CATALOG } from '../../models/catalog';
import { useStudio } from '../../state';

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export function CatalogCards() {
  const modelId = useStudio((s) => s.modelId);
  const summary = useStudio((s) => s.summary);
  return (
    <div className="catalog" role="radiogroup" aria-label="Pre-trained model">
      {CATALOG.map((m) => {
        const on = m.id === modelId;
        return (
          <button
            type="button"
            key={m.id}
            role="radio"
            aria-checked={on}
            className={`catalog-card ${on ? 'catalog-card-on' : ''}`}
            data-testid={`model.option.${m.id}`}
            data-selected={on}
            onClick={() => useStudio.getState().selectModel(m.id)}
          >
            <span className="catalog-name">{m.name}</span>
            <span className="catalog-facts">
              {mb(m.sizeBytes)} · input {m.inputSize}×{m.inputSize} · {(m.params / 1e6).toFixed(2)}M parameters
              {summary && on ? ` · ${summary.layers.length} layers` : ''}
            </span>
            <span className="catalog-licence">Licence: {m.licence}</span>
            <span className="catalog-prov">{m.provenance}</span>
            <span className="catalog-good">{m.goodFor}</span>
          </button>
        );
      })}
    </div>
  );
}
