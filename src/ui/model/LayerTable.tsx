import { useMemo, useState } from 'react';
import type { LayerInfo } from '../../engine/types';
import { isBusy, useStudio } from '../../state';
import { LayerGroup } from './LayerGroup';

/** The real loaded model's layers, grouped by block; checked = trainable. */
export function LayerTable() {
  const layers = useStudio((s) => s.summary?.layers);
  const trainable = useStudio((s) => s.trainable);
  const busy = useStudio((s) => isBusy(s.status));
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const groups = useMemo(() => {
    const out: { block: string; layers: LayerInfo[] }[] = [];
    for (const l of layers ?? []) {
      const last = out[out.length - 1];
      if (last && last.block === l.block) last.layers.push(l);
      else out.push({ block: l.block, layers: [l] });
    }
    return out;
  }, [layers]);
  const on = useMemo(() => new Set(trainable), [trainable]);
  const toggle = (block: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(block)) next.delete(block);
      else next.add(block);
      return next;
    });

  return (
    <div className="layers">
      <div className="layers-toolbar">
        <span className="muted">
          {layers?.length ?? 0} layers in {groups.length} groups
        </span>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setCollapsed(new Set(groups.map((g) => g.block)))}>
          Collapse all
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
      </div>
      <div className="layers-scroll">
        <table className="table layer-table">
          <thead>
            <tr>
              <th scope="col">Trains</th>
              <th scope="col">Layer</th>
              <th scope="col">Type</th>
              <th scope="col">Output shape</th>
              <th scope="col" className="num">
                Params
              </th>
            </tr>
          </thead>
          {groups.map((g) => (
            <LayerGroup
              key={g.block}
              block={g.block}
              layers={g.layers}
              trainable={on}
              collapsed={collapsed.has(g.block)}
              disabled={busy}
              onToggleCollapse={() => toggle(g.block)}
            />
          ))}
        </table>
      </div>
    </div>
  );
}
