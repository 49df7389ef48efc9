import { trainableParams, useShallow, useStudio, isBusy } from '../../state';

export function FreezeControls() {
  const { params, count, total, busy, backend } = useStudio(
    useShallow((s) => ({
      params: trainableParams(s),
      count: s.trainable.length,
      total: s.summary?.layers.length ?? 0,
      busy: isBusy(s.status),
      backend: s.backend,
    })),
  );
  const preset = (p: 'head-only' | 'top-blocks' | 'full') => useStudio.getState().applyPreset(p);
  return (
    <div className="freeze">
      <div className="freeze-presets" role="group" aria-label="Which layers train">
        <button type="button" className="btn" data-testid="freeze.preset.head-only" disabled={busy} onClick={() => preset('head-only')}>
          Head only
        </button>
        <button type="button" className="btn" data-testid="freeze.preset.top-blocks" disabled={busy} onClick={() => preset('top-blocks')}>
          Top blocks
        </button>
        <button type="button" className="btn" data-testid="freeze.preset.full" disabled={busy} onClick={() => preset('full')}>
          Everything
        </button>
      </div>
      <p className="freeze-params">
        Trainable parameters:{' '}
        <strong data-testid="freeze.trainable-params" data-value={params}>
          {params.toLocaleString('en')}
        </strong>{' '}
        <span className="muted">
          ({count} of {total} backbone layers + the new head: pooling → dropout → dense softmax)
        </span>
      </p>
      {backend === 'wasm' && count > 0 && (
        <p className="note">
          On the WASM backend convolutions cannot learn; only layers above the last trainable convolution will train. Use WebGL or
          WebGPU to fine-tune deeper.
        </p>
      )}
    </div>
  );
}
