import { useMemo, useState, type CSSProperties } from 'react';
import { blocksOf, topBlocksOf } from '../../models/freeze';
import { isBusy, useShallow, useStudio } from '../../state';

/** Preset buttons, "top N blocks", and the "trainable from here" slider over the model's blocks. */
export function FreezePresets() {
  const { layers, format, trainable, busy, seg } = useStudio(
    useShallow((s) => ({
      layers: s.summary?.layers,
      format: s.summary?.format,
      trainable: s.trainable,
      busy: isBusy(s.status),
      seg: s.text.task === 'image-segmentation',
    })),
  );
  // Segmentation's new part is a decoder, not a head.
  const part = seg ? 'Decoder' : 'Head';
  const [wantedN, setTopN] = useState(2);
  const blocks = useMemo(() => blocksOf(layers ?? []), [layers]);
  const topBlocks = useMemo(() => topBlocksOf(layers ?? [], format), [layers, format]);
  const counted = topBlocks.available ? topBlocks.counted.length : 0;
  const topN = Math.max(1, Math.min(wantedN, counted));
  const unit = topBlocks.available && topBlocks.by === 'groups' ? 'group' : 'block';
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
    ? `${part} only: every pre-trained block is frozen`
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
          {part} only
        </button>
        <span className="btn-group">
          <button
            type="button"
            className="btn"
            data-testid="freeze.preset.top-blocks"
            disabled={busy || !topBlocks.available}
            aria-describedby={topBlocks.available ? undefined : 'top-blocks-reason'}
            onClick={() => top(topN)}
          >
            {`${seg ? 'Decoder + top' : 'Top'} ${topN} ${unit}${topN === 1 ? '' : 's'}`}
          </button>
          <select
            aria-label={`How many top ${unit}s train`}
            data-testid="freeze.preset.top-blocks-count"
            value={topN}
            disabled={busy || !topBlocks.available}
            onChange={(e) => {
              const n = Number(e.target.value);
              setTopN(n);
              top(n);
            }}
          >
            {[1, 2, 3, 4].slice(0, Math.max(1, counted)).map((n) => (
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
      {!topBlocks.available && (
        <p id="top-blocks-reason" className="muted top-blocks-reason" data-testid="freeze.preset.top-blocks-reason">
          Top blocks is off for this model: {topBlocks.reason}
        </p>
      )}
      {topBlocks.available && topBlocks.by === 'groups' && (
        <p className="muted top-blocks-reason" data-testid="freeze.preset.top-blocks-reason">
          This model has no numbered blocks: Top N counts the layer table&apos;s groups with weights, from the top.
        </p>
      )}
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
          <span>{part.toLowerCase()} only</span>
        </span>
        <span className="from-block-text" data-testid="freeze.from-block-text">
          {sliderText}
        </span>
      </label>
    </div>
  );
}
