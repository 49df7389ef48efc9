interface Props {
  /** A download is being prepared: the buttons wait and the first says so. */
  exporting: boolean;
  /** Nothing to download yet, or a run is busy. */
  disabled: boolean;
  onTfjs: () => void;
  onOnnx: () => void;
}

/** The two downloads every image model has: the TF.js zip (`export.tfjs`) and one ONNX file (`export.onnx`). */
export function ExportButtons({ exporting, disabled, onTfjs, onOnnx }: Props) {
  const off = exporting || disabled;
  return (
    <>
      <button type="button" className="btn btn-primary" data-testid="export.tfjs" disabled={off} onClick={onTfjs}>
        {exporting ? 'Preparing the download…' : 'Download TF.js model (.zip)'}
      </button>{' '}
      <button type="button" className="btn" data-testid="export.onnx" disabled={off} onClick={onOnnx}>
        ONNX (.onnx)
      </button>
    </>
  );
}
