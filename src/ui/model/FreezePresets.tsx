import { useMemo, useState, type CSSProperties } from 'react';
import { blocksOf } from '../../models/freeze';
import { isBusy, useShallow, useStudio } from '../../state';

/** Preset buttons, "top N blocks", and the "trainable from here" slider over the model's blocks. */
export function FreezePresets() {
  const { layers, trainable, busy } = useStudio(
    useShallow((s) => ({ layers: s.summary?.layers, trainable: s.trainable, busy: isBusy(s.status) })),
  );
  const [topN, setTopN] = useState(2);
  const blocks = useMemo(() => blocksOf(layers ?? []), [layers]);
  const on = useMemo(() => new Set(trainable), [trainable]);
  // The slider sits at the lowest block with a trainable weight; at the far right nothing trains.
  const first = blocks.findIndex((b) => b.layers.some((l) => l.hasWeights && on.has(l.name)));
  const position = first < 0 ? blocks.length : first;
  const suffixOnly = first >= 0 && blocks.slice(first).every((b) => b.layers.every((l) => !l.hasWeights || on.has(l.name)));
  const fromName = blocks[position]?.name;
  const st = useStudio.getState();
  const top = (n: number) => st.applyPreset({ kind: 'top-blocks', blocks: n });
  const touched = blocks.filter((b) => b.layers.some((l) => l.hasWeights && on.has(l.name))).length;
  const sliderText = !fromName
    ? 'Head only: every pre-trained block is frozen'
    : suffixOnly
      ? `${fromName} and everything above it train (${blocks.length - position} of ${blocks.length} blocks)`
      : `Your own choice: ${touched} of ${blocks.length} blocks have trainable layers, the lowest is ${fromName}`;
  // Blue from the thumb to the right end: the blocks that train sit above the chosen one.
  const pos = blocks.length > 0 ? (position / blocks.length) * 100 : 100;
  return (
    <div className="freeze-controls">
      <div className="freeze-presets" role="group" aria-label="Which layers train">
        <button
          type="button"
          className="btn"
          data-testid="freeze.preset.head-only"
          disabled={busy}
          onClick={() => st.applyPreset('head-only')}
        >
          Head only
        </button>
        <span className="btn-group">
          <button type="button" className="btn" data-testid="freeze.preset.top-blocks" disabled={busy} onClick={() => top(topN)}>
            Top {topN} block{topN === 1 ? '' : 's'}
          </button>
          <select
            aria-label="How many top blocks train"
            data-testid="freeze.preset.top-blocks-count"
            value={topN}
            disabled={busy}
            onChange={(e) => {
              const n = Number(e.target.value);
              setTopN(n);
              top(n);
            }}
          >
            {[1, 2, 3, 4].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </span>
        <button type="button" className="btn" data-testid="freeze.preset.full" disabled={busy} onClick={() => st.applyPreset('full')}>
          Everything
        </button>
      </div>
      <label className="from-block">
        <span className="label">Trainable from here</span>
        <input
          type="range"
          className="from-slider"
          style={{ '--pos': `${pos}%` } as CSSProperties}
          data-testid="freeze.from-block"
          min={0}
          max={blocks.length}
          step={1}
          value={position}
          disabled={busy || blocks.length === 0}
          aria-valuetext={sliderText}
          onChange={(e) => {
            const b = blocks[Number(e.target.value)];
            st.applyPreset(b ? { kind: 'from-block', block: b.name } : { kind: 'head-only' });
          }}
        />
        <span className="from-block-ends muted" aria-hidden="true">
          <span>{blocks[0]?.name ?? ''} (everything)</span>
          <span>head only</span>
        </span>
        <span className="from-block-text" data-testid="freeze.from-block-text">
          {sliderText}
        </span>
      </label>
    </div>
  );
}
