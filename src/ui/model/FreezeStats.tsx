import {
  frozenParams,
  MEMORY_WARNING_BYTES,
  segTrainableParams,
  stepMemoryBytes,
  trainableParams,
  useShallow,
  useStudio,
  wasmConvBlocker,
} from '../../state';

const mb = (bytes: number) => `${Math.round(bytes / 1e6).toLocaleString('en')} MB`;

/** Live counts for the current freezing: trainable and frozen parameters, memory per step, and notes. */
export function FreezeStats() {
  const { params, frozen, bytes, count, total, batch, size, wasmConv, seg } = useStudio(
    useShallow((s) => ({
      // Segmentation: the chosen encoder layers plus the decoder (sized from the backbone and the classes).
      params: s.text.task === 'image-segmentation' ? segTrainableParams(s) : trainableParams(s),
      seg: s.text.task === 'image-segmentation',
      frozen: frozenParams(s),
      bytes: stepMemoryBytes(s),
      count: s.trainable.length,
      total: s.summary?.layers.length ?? 0,
      batch: s.settings.batchSize,
      size: s.settings.imageSize,
      wasmConv: wasmConvBlocker(s),
    })),
  );
  return (
    <div className="freeze-stats">
      <div className="metrics">
        <div className="stat">
          <strong className="stat-value" data-testid="freeze.trainable-params" data-value={params}>
            {params.toLocaleString('en')}
          </strong>
          <span className="stat-label">{seg ? 'trainable parameters (with the decoder)' : 'trainable parameters (with the new head)'}</span>
        </div>
        <div className="stat">
          <strong className="stat-value" data-testid="freeze.frozen-params" data-value={frozen}>
            {frozen.toLocaleString('en')}
          </strong>
          <span className="stat-label">frozen parameters</span>
        </div>
        <div className="stat">
          <strong className="stat-value" data-testid="freeze.memory" data-value={Math.round(bytes)}>
            {mb(bytes)}
          </strong>
          <span className="stat-label">
            memory per training step (batch {batch}, {size} px)
          </span>
        </div>
      </div>
      <p className="muted freeze-params">
        {count} of {total} backbone layers train, plus{' '}
        {seg ? 'the U-Net decoder (see below), which always trains' : 'the new head: pooling → dropout → dense softmax'}. Batch-norm layers
        in frozen blocks run in inference mode (their statistics stay as pre-trained).
      </p>
      {bytes > MEMORY_WARNING_BYTES && (
        <p className="note note-warn" data-testid="freeze.memory-warning">
          About {mb(bytes)} per step is more than many browsers give a tab (over 1.5 GB). Lower the batch size or input size in step 3, or
          train fewer blocks.
        </p>
      )}
      {wasmConv && (
        <p className="note note-warn" data-testid="freeze.wasm-note">
          This studio runs on the WASM backend, which cannot train through depthwise convolutions, and training would pass through{' '}
          {wasmConv}. Switch to WebGPU or WebGL (for example <code>?backend=webgl</code>), or train the {seg ? 'decoder' : 'head'} only.{' '}
          <button type="button" className="btn btn-small" onClick={() => useStudio.getState().applyPreset('head-only')}>
            {seg ? 'Decoder only' : 'Head only'}
          </button>
        </p>
      )}
    </div>
  );
}
