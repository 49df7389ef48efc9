import { useEffect, useRef, useState } from 'react';
import { Alert } from '../common/Alert';

/** The webcam, where there is one: a live preview and a button that hands one frame to try-it. */
export function Webcam({ onFrame, disabled }: { onFrame: (file: File) => void; disabled: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const available = typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;

  useEffect(() => {
    if (video.current) video.current.srcObject = stream;
    return () => stream?.getTracks().forEach((t) => t.stop());
  }, [stream]);

  if (!available) return null;

  const start = async () => {
    setError(null);
    try {
      setStream(await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false }));
    } catch (err) {
      const denied = err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
      setError(
        denied
          ? 'The browser did not allow the camera. Allow it for this page, or pick an image instead.'
          : 'No camera could be opened. Pick an image instead.',
      );
    }
  };

  const capture = () => {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')?.drawImage(v, 0, 0);
    canvas.toBlob((blob) => {
      if (blob) onFrame(new File([blob], `webcam-${new Date().toISOString().slice(11, 19)}.png`, { type: 'image/png' }));
    }, 'image/png');
  };

  return (
    <div className="webcam">
      {stream ? (
        <>
          <video ref={video} autoPlay playsInline muted width={160} height={120} data-testid="predict.webcam-video" />
          <button type="button" className="btn btn-small" data-testid="predict.webcam-capture" disabled={disabled} onClick={capture}>
            Capture and predict
          </button>{' '}
          <button type="button" className="btn btn-small" onClick={() => setStream(null)}>
            Stop camera
          </button>
        </>
      ) : (
        <button type="button" className="btn btn-small" data-testid="predict.webcam" disabled={disabled} onClick={() => void start()}>
          Use the webcam
        </button>
      )}
      {error && <Alert>{error}</Alert>}
    </div>
  );
}
