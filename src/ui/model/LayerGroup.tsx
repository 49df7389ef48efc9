import type { LayerInfo } from '../../engine/types';
import { useStudio } from '../../state';

interface Props {
  block: string;
  layers: LayerInfo[];
  trainable: ReadonlySet<string>;
  collapsed: boolean;
  disabled: boolean;
  onToggleCollapse: () => void;
}

function shape(s: (number | null)[]): string {
  return `[${s.map((d) => (d === null ? '·' : d)).join(', ')}]`;
}

export function LayerGroup({ block, layers, trainable, collapsed, disabled, onToggleCollapse }: Props) {
  // The block's state counts layers with weights; a weightless block (input) counts all of its layers.
  const weighted = layers.filter((l) => l.hasWeights);
  const selectable = weighted.length > 0 ? weighted : layers;
  const nOn = selectable.filter((l) => trainable.has(l.name)).length;
  const params = layers.reduce((s, l) => s + l.params, 0);
  const all = selectable.length > 0 && nOn === selectable.length;
  return (
    <tbody className="layer-group">
      <tr className="group-row">
        <td>
          <input
            type="checkbox"
            aria-label={`Train every layer of ${block}`}
            data-testid={`freeze.block.${block}`}
            checked={all}
            disabled={disabled || selectable.length === 0}
            ref={(el) => {
              if (el) el.indeterminate = nOn > 0 && !all;
            }}
            onChange={(e) => useStudio.getState().toggleBlock(block, e.target.checked)}
          />
        </td>
        <td colSpan={3}>
          <button type="button" className="group-toggle" aria-expanded={!collapsed} onClick={onToggleCollapse}>
            <span aria-hidden="true">{collapsed ? '▸' : '▾'}</span> {block}{' '}
            <span className="muted">
              {layers.length} layers · {nOn} of {selectable.length} {weighted.length > 0 ? 'with weights ' : ''}training
            </span>
          </button>
        </td>
        <td className="num">{params.toLocaleString('en')}</td>
      </tr>
      {!collapsed &&
        layers.map((l) => (
          <tr key={l.name} className={trainable.has(l.name) ? 'row-on' : ''}>
            <td>
              <input
                type="checkbox"
                data-testid={`freeze.layer.${l.name}`}
                aria-label={`Train ${l.name}`}
                checked={trainable.has(l.name)}
                disabled={disabled}
                onChange={(e) => useStudio.getState().toggleLayer(l.name, e.target.checked)}
              />
            </td>
            <td className="mono">{l.name}</td>
            <td>{l.className}</td>
            <td className="mono">{shape(l.outputShape)}</td>
            <td className="num">{l.hasWeights ? l.params.toLocaleString('en') : '—'}</td>
          </tr>
        ))}
    </tbody>
  );
}
