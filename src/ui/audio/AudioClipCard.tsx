import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { removeAudioClip, type AudioClipItem } from '../../state';
import { drawSpectrogram, drawWaveform } from './clipDrawing';
import { useWhenVisible } from './useWhenVisible';

interface Props {
  clip: AudioClipItem;
  /** Its speaker under the key; null when it counts alone. */
  group: string | null;
  disabled: boolean;
}

/** One clip: its waveform and first-window spectrogram (drawn when visible, on idle), name, length, speaker, play and remove. */
export function AudioClipCard({ clip, group, disabled }: Props) {
  const box = useRef<HTMLLIElement>(null);
  const wave = useRef<HTMLCanvasElement>(null);
  const spec = useRef<HTMLCanvasElement>(null);
  const player = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);

  const draw = useCallback(() => {
    if (wave.current) drawWaveform(wave.current, clip.samples);
    if (spec.current) drawSpectrogram(spec.current, clip.samples, clip.sampleRate);
  }, [clip]);
  useWhenVisible(box, draw);

  // The object URL lives exactly as long as the player: written to the DOM, revoked on unmount.
  useLayoutEffect(() => {
    const el = player.current;
    const url = URL.createObjectURL(clip.file);
    if (el) el.src = url;
    return () => {
      el?.pause();
      URL.revokeObjectURL(url);
    };
  }, [clip.file]);

  const toggle = () => {
    const el = player.current;
    if (!el) return;
    if (el.paused) void el.play().catch(() => setPlaying(false));
    else el.pause();
  };

  return (
    <li ref={box} className="audio-clip" data-testid="audio.clip" data-id={clip.id} data-label={clip.label} title={clip.path}>
      <div className="audio-clip-pictures">
        <canvas ref={spec} className="audio-spec" width={96} height={96} aria-label={`Spectrogram of the start of ${clip.name}`} />
        <canvas ref={wave} className="audio-wave" width={160} height={40} aria-label={`Waveform of ${clip.name}`} />
      </div>
      <div className="audio-clip-row">
        <span className="audio-clip-name">{clip.name}</span>
        <div className="audio-clip-actions">
          <button
            type="button"
            className="btn btn-small"
            aria-label={`${playing ? 'Pause' : 'Play'} ${clip.name}`}
            data-testid="audio.clip-play"
            onClick={toggle}
          >
            {playing ? '❚❚' : '▶'}
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={`Remove ${clip.name}`}
            disabled={disabled}
            onClick={() => removeAudioClip(clip.id)}
          >
            ×
          </button>
        </div>
      </div>
      <span className="muted small audio-clip-meta">
        {clip.seconds.toFixed(1)} s{group !== null && <> · speaker {group}</>}
        {clip.peak < 1e-3 && <span className="audio-silent"> · silent</span>}
      </span>
      <audio
        ref={player}
        preload="none"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
      />
    </li>
  );
}
