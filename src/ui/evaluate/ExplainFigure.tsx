import { useLayoutEffect, useRef } from 'react';
import type { ResizeMode } from '../../engine/types';
import { Alert } from '../common/Alert';
import { HeatmapCanvas } from './HeatmapCanvas';
import { useExplanation } from './useExplanation';

/**
 * The image as the model saw it (stretched or centre-cropped to a square) with, when `explain` is on,
 * the Grad-CAM heat-map over it.
 */
export function ExplainFigure(props: {
  blob: Blob;
  resize: ResizeMode;
  explain: boolean;
  size?: number;
  classIndex?: number;
  alt: string;
}) {
  const size = props.size ?? 160;
  // The object URL lives exactly as long as this blob is shown; it is written to the DOM, not to state.
  const img = useRef<HTMLImageElement>(null);
  useLayoutEffect(() => {
    const u = URL.createObjectURL(props.blob);
    if (img.current) img.current.src = u;
    return () => URL.revokeObjectURL(u);
  }, [props.blob]);
  const { value, error, loading } = useExplanation(props.blob, props.explain, props.classIndex);
  return (
    <div className="explain-figure">
      <div className="explain-box" style={{ width: size, height: size }}>
        <img ref={img} alt={props.alt} style={{ objectFit: props.resize === 'stretch' ? 'fill' : 'cover' }} />
        {props.explain && value && <HeatmapCanvas values={value.heatmap} width={value.width} height={value.height} size={size} />}
      </div>
      {props.explain && loading && <p className="muted small">Computing the heat-map…</p>}
      {props.explain && value?.method === 'saliency' && (
        <p className="muted small">
          This model has no feature map before its head, so this shows input-gradient saliency instead of Grad-CAM.
        </p>
      )}
      {props.explain && error && <Alert>{error}</Alert>}
    </div>
  );
}
