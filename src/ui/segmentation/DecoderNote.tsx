import { chooseCatalogModel, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';

const STRIDE_TEXT: Record<number, string> = { 16: '1/16', 8: '1/8', 4: '1/4', 2: '1/2' };

/** Step 2 for segmentation: what the U-Net decoder on the encoder is, and what the last run's decoder read. */
export function DecoderNote() {
  const { graph, name, decoder, size } = useStudio(
    useShallow((s) => {
      const record = s.runRecord?.task === 'image-segmentation' ? s.runRecord : null;
      return {
        graph: s.summary?.format === 'graph',
        name: s.summary?.name ?? 'This model',
        decoder: record?.decoder ?? null,
        size: record?.input.imageSize ?? null,
      };
    }),
  );
  return (
    <div className="note seg-decoder" data-testid="model.decoder-note" data-params={decoder?.params ?? ''}>
      <p>
        <strong>The decoder (U-Net).</strong> The model above is the encoder, without its classifier. The decoder reads its last feature map
        (1/32 of the input side) and, as skip connections, the outputs of four of its blocks at 1/16, 1/8, 1/4 and 1/2 of the input. At each
        level it doubles the resolution (bilinear upsampling), concatenates the skip and mixes both with a 3×3 convolution; a 1×1
        convolution gives every class a score, a last upsampling brings the scores to the input size, and a softmax per pixel turns them
        into class probabilities.
      </p>
      <p>
        The decoder always trains. With <em>decoder only</em>, the frozen encoder runs once per image and its outputs are cached, so epochs
        are quick. On WASM only the decoder can train (WASM has no gradients for the encoder&apos;s convolutions); WebGPU and WebGL train
        encoder blocks too.
      </p>
      {decoder && (
        <div data-testid="model.decoder-skips">
          <p>In the last run ({size} px input) the skips read:</p>
          <ul className="seg-skips">
            {decoder.skips.map((s) => (
              <li key={s.layer}>
                <code>{s.layer}</code>{' '}
                <span className="muted">
                  at {STRIDE_TEXT[s.stride] ?? `1/${s.stride}`} ({s.channels} channels)
                </span>
              </li>
            ))}
          </ul>
          <p>
            The decoder has <strong>{decoder.params.toLocaleString('en')}</strong> parameters of its own (widths{' '}
            {[decoder.widths.reduce, ...decoder.widths.levels].join(', ')}).
          </p>
        </div>
      )}
      {graph && (
        <Alert action={{ label: 'Use MobileNetV2', onClick: () => void chooseCatalogModel('mobilenet-v2') }}>
          {name} is a graph model: a decoder cannot be attached to it. Segmentation needs a Layers model such as the bundled MobileNetV2.
        </Alert>
      )}
    </div>
  );
}
