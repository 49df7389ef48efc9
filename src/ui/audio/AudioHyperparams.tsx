import { useStudio } from '../../state';
import { DEFAULT_AUDIO } from '../../tasks/audio-classification/defaults';
import { windowLength } from '../../tasks/audio-classification/frontend.js';
import { SelectField } from '../common/SelectField';
import { Section } from '../common/Section';
import { OptimisationSection } from '../train/OptimisationSection';
import { RegularisationSection } from '../train/RegularisationSection';
import { RunFields, type RunFieldsHelp } from '../train/RunFields';
import { ScheduleSection } from '../train/ScheduleSection';
import { SettingsFieldset } from '../train/SettingsFieldset';
import { StoppingSection } from '../train/StoppingSection';
import { TrainModeField } from '../train/TrainModeField';
import { AudioAugmentSection } from './AudioAugmentSection';
import './audio-train.css';

const HELP: RunFieldsHelp = {
  batchSize: 'Spectrogram windows per update. Smaller uses less memory; larger is steadier.',
  epochs: 'Passes over the training windows. Raise it while validation loss still falls; early stopping can cut it short.',
  validationSplit:
    'Share of each class held out to measure progress honestly (0.2 = 20%), whole speakers at a time when a speaker key is set.',
};

const SIZES = [64, 96, 128, 160, 224];

/** The spectrogram's side as the model sees it. */
function SpectrogramSizeField() {
  const size = useStudio((s) => s.settings.imageSize);
  const options = SIZES.map((n) => ({ value: String(n), label: `${n} × ${n} px` }));
  if (!SIZES.includes(size)) options.unshift({ value: String(size), label: `${size} px` });
  return (
    <SelectField
      label="Spectrogram size"
      testId="hp.image-size"
      value={String(size)}
      options={options}
      onChange={(v) => useStudio.getState().setImageSize(Number(v))}
      help="Each window's log-mel spectrogram becomes a square image of this size for the model. 96 px keeps every mel band and frame; larger costs more compute."
    />
  );
}

/** The log-mel front end as a run will use it: shown, and recorded with the run and in every export. */
function FrontendSection() {
  const fe = useStudio((s) => (s.settings.audio ?? DEFAULT_AUDIO).frontend);
  const seconds = windowLength(fe) / fe.sampleRate;
  const summary = `${fe.melBins} mel bands, ${seconds.toFixed(2)} s windows`;
  const rows: [string, string][] = [
    ['Sample rate', `${fe.sampleRate} Hz (every clip is resampled to it)`],
    [
      'Frames',
      `${fe.winLength} samples (${((fe.winLength / fe.sampleRate) * 1000).toFixed(0)} ms), Hann, every ${fe.hopLength} samples (${((fe.hopLength / fe.sampleRate) * 1000).toFixed(0)} ms); FFT ${fe.fftSize}`,
    ],
    ['Mel bands', `${fe.melBins} from ${fe.fMin} to ${fe.fMax} Hz, in dB below each window's loudest (${fe.topDb} dB range)`],
    [
      'Windows',
      `${seconds.toFixed(2)} s (${fe.frames} frames), a new one every ${fe.windowHop} s, and a last one ending at the clip's end; shorter clips are padded with silence`,
    ],
    ['Long clips', `only the first ${fe.maxSeconds} s are read`],
    ['A clip’s answer', 'the mean of its windows’ probabilities'],
  ];
  return (
    <Section id="frontend" title="Front end (log-mel spectrogram)" summary={summary}>
      <p className="help section-intro">
        Computed in the training worker by the same <code>frontend.js</code> that ships in the download, so the model sees the same input
        here and wherever it runs.
      </p>
      <table className="frontend-table" data-testid="audio.frontend">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** Audio's settings: the everyday ones up front; the front end, sound augmentation and the shared advanced sections folded. */
export function AudioHyperparams() {
  return (
    <SettingsFieldset>
      <div className="hp-grid hp-basic">
        <RunFields help={HELP} />
        <SpectrogramSizeField />
        <TrainModeField
          labels={{ 'head-only': 'Only the new head', 'fine-tune': 'Fine-tune chosen layers' }}
          help="Matches the layer checkboxes in step 2. With a from-scratch network, train every layer."
        />
      </div>
      <div className="sections">
        <FrontendSection />
        <OptimisationSection />
        <RegularisationSection />
        <ScheduleSection />
        <StoppingSection />
        <AudioAugmentSection />
      </div>
    </SettingsFieldset>
  );
}
