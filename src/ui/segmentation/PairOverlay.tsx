import type { SegPairItem } from '../../data/seg-ingest';
import { OverlayCanvas } from './OverlayCanvas';

interface Props {
  pair: Pick<SegPairItem, 'image' | 'mask' | 'width' | 'height'>;
  /** The model's class map (side × side) over the picture instead of the pair's own mask. */
  predicted?: { mask: Uint8Array; side: number };
  /** The longer side on screen, in CSS pixels. */
  size: number;
  opacity: number;
  classCount: number;
  label: string;
}

/** An image–mask pair's picture, decoded at display size once near the screen, with its mask (or a prediction) over it. */
export function PairOverlay({ pair, predicted, size, opacity, classCount, label }: Props) {
  return (
    <OverlayCanvas
      image={pair.image}
      mask={predicted?.mask ?? pair.mask}
      maskWidth={predicted?.side ?? pair.width}
      maskHeight={predicted?.side ?? pair.height}
      imageWidth={pair.width}
      imageHeight={pair.height}
      size={size}
      opacity={opacity}
      classCount={classCount}
      label={label}
    />
  );
}
