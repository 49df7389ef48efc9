/** Microphone capture for the recorder: the raw samples through a ScriptProcessorNode, the level through an AnalyserNode. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { encodeWav } from '../../data/wav';
import { joinChunks, rms } from './recorderSamples';

/** A recording stops by itself after this many seconds. */
export const MAX_SECONDS = 30;
const CHUNK = 4096;
let recordings = 0;

/** The reason the microphone did not start, as a sentence with a way forward. */
function micError(err: unknown): string {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The browser did not allow the microphone. Allow it for this page and press the button again, or use audio files instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found. Plug one in and press the button again, or use audio files instead.';
  return 'The microphone could not be opened (another app may be using it). Close that app and try again, or use audio files instead.';
}

interface Session {
  stream: MediaStream | null;
  context: AudioContext;
  chunks: Float32Array[];
  samples: number;
  max: number;
  frame: number;
}

/** Microphone capture: the raw samples through a ScriptProcessorNode, the level through an AnalyserNode. */
export function useRecorder(onDone: (blob: Blob, name: string) => void) {
  const [phase, setPhase] = useState<'idle' | 'starting' | 'recording'>('idle');
  const [meter, setMeter] = useState({ level: 0, seconds: 0 });
  const [error, setError] = useState<string | null>(null);
  const session = useRef<Session | null>(null);
  const latest = useRef(onDone);
  useEffect(() => {
    latest.current = onDone;
  });

  /** Releases the microphone and the audio graph; returns what was recorded. */
  const teardown = useCallback((): Session | null => {
    const s = session.current;
    session.current = null;
    if (!s) return null;
    cancelAnimationFrame(s.frame);
    s.stream?.getTracks().forEach((t) => t.stop());
    if (s.context.state !== 'closed') void s.context.close().catch(() => undefined);
    return s;
  }, []);
  useEffect(() => () => void teardown(), [teardown]);

  const stop = useCallback(() => {
    const s = teardown();
    setPhase('idle');
    setMeter({ level: 0, seconds: 0 });
    if (!s || !s.stream) return;
    const samples = joinChunks(s.chunks, s.max);
    if (samples.length === 0) return setError('Nothing was recorded: press the button, speak, then press it again to stop.');
    recordings += 1;
    const bytes = encodeWav(samples, s.context.sampleRate);
    latest.current(new Blob([bytes.slice()], { type: 'audio/wav' }), `recording-${recordings}.wav`);
  }, [teardown]);

  const start = async () => {
    setError(null);
    if (!navigator.mediaDevices?.getUserMedia)
      return setError('This page has no access to a microphone here (it needs https or localhost). Use audio files instead.');
    // Made in the click, before the permission prompt, so the browser lets it run.
    let context: AudioContext;
    try {
      context = new AudioContext();
    } catch {
      return setError('This browser cannot record audio here. Use audio files instead.');
    }
    const s: Session = { stream: null, context, chunks: [], samples: 0, max: Math.round(MAX_SECONDS * context.sampleRate), frame: 0 };
    teardown();
    session.current = s;
    setPhase('starting');
    try {
      s.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      if (session.current === s) teardown();
      setPhase('idle');
      return setError(micError(err));
    }
    // Stopped or unmounted while the browser asked: let go of the microphone at once.
    if (session.current !== s) return s.stream.getTracks().forEach((t) => t.stop());
    const source = context.createMediaStreamSource(s.stream);
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    const processor = context.createScriptProcessor(CHUNK, 1, 1);
    processor.onaudioprocess = (e) => {
      if (session.current !== s) return;
      s.chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
      s.samples += e.inputBuffer.length;
      if (s.samples >= s.max) stop();
    };
    source.connect(analyser);
    source.connect(processor);
    processor.connect(context.destination); // a ScriptProcessor only runs when connected; it outputs silence
    void context.resume();
    const buf = new Float32Array(analyser.fftSize);
    let shown = 0;
    const tick = (now: number) => {
      if (session.current !== s) return;
      if (now - shown > 60) {
        shown = now;
        analyser.getFloatTimeDomainData(buf);
        setMeter({ level: rms(buf), seconds: s.samples / context.sampleRate });
      }
      s.frame = requestAnimationFrame(tick);
    };
    s.frame = requestAnimationFrame(tick);
    setPhase('recording');
  };

  return { phase, meter, error, start, stop };
}
