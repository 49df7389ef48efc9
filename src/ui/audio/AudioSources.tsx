import { addAudioFiles, loadAudioSample, useStudio } from '../../state';
import { DropSources } from '../dataset/DropSources';

const ACCEPT = 'audio/*,.wav,.mp3,.ogg,.oga,.opus,.flac,.webm,.m4a,.aac,.zip,application/zip';

/** Where clips come from: a drop, files, a folder of class folders, or the built-in sample. */
export function AudioSources() {
  const busy = useStudio((s) => s.audio.busy);
  return (
    <DropSources
      title="Drop class folders of sound clips (or a .zip of them) here"
      accept={ACCEPT}
      add={addAudioFiles}
      sampleLabel="Use the sample (voices)"
      loadSample={loadAudioSample}
      busy={busy}
      busyText="Reading and decoding clips…"
    >
      <p className="muted audio-layout-hint">
        One folder per class (<code>angry/v01_01.wav</code>, <code>happy/…</code>); sub-folders inside a class (a speaker each) are fine.
        WAV, MP3, Ogg, FLAC and WebM, any sample rate, mono or stereo; only the first 60 s of a clip are used.
      </p>
    </DropSources>
  );
}
