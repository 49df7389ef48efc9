import { useShallow, useStudio } from '../../state';
import { augmentOn } from '../../tasks/audio-classification/source';
import { DEFAULT_AUDIO } from '../../tasks/audio-classification/defaults';
import { CheckField } from '../common/CheckField';
import { NumberField } from '../common/NumberField';
import { Section } from '../common/Section';

/** Sound augmentation (on the waveform, then on the spectrogram) and the frozen-layer cache, for audio runs. */
export function AudioAugmentSection() {
  const { augment, variants, useCache, attention } = useStudio(
    useShallow((s) => ({
      augment: (s.settings.audio ?? DEFAULT_AUDIO).augment,
      variants: s.settings.augmentation.variants,
      useCache: s.settings.useCache,
      attention: Object.keys(s.fieldErrors).some((k) => k.startsWith('audio.') || k.startsWith('augmentation.')),
    })),
  );
  const on = augmentOn(augment);
  const summary = `${on ? 'on' : 'off'}, ${useCache ? `cache on (${variants} variants per window)` : 'cache off'}`;
  return (
    <Section id="augmentation" title="Sound augmentation & caching" summary={summary} attention={attention}>
      <p className="help section-intro">
        Each training window is altered a little — moved in time, louder or quieter against added noise, with a band of frequencies or a
        stretch of time blanked out (SpecAugment) — so the model learns how things are said rather than one recording. Validation clips are
        never altered.
      </p>
      <div className="hp-grid audio-augment">
        <NumberField
          field="audio.augment.timeShift"
          label="Time shift"
          suffix="± s"
          testId="augment.time-shift"
          help="Move each window up to this many seconds inside its clip. 0 = off."
        />
        <NumberField
          field="audio.augment.gainDb"
          label="Gain"
          suffix="± dB"
          testId="augment.gain"
          help="Make the voice louder or quieter by up to this, against the added noise. 0 = off."
        />
        <NumberField
          field="audio.augment.noiseSnrDb"
          label="Loudest added noise"
          suffix="dB SNR"
          testId="augment.noise"
          help="White noise at a signal-to-noise ratio drawn between this and 40 dB (lower = noisier). 0 = off."
        />
        <NumberField
          field="audio.augment.freqMasks"
          label="Frequency masks"
          suffix="per window"
          testId="augment.freq-masks"
          help="Bands of mel frequencies blanked per window (SpecAugment). 0 = off."
        />
        <NumberField
          field="audio.augment.freqMaskWidth"
          label="Widest frequency mask"
          suffix="of the bands"
          help="Up to this fraction of the mel bands."
        />
        <NumberField
          field="audio.augment.timeMasks"
          label="Time masks"
          suffix="per window"
          testId="augment.time-masks"
          help="Stretches of time blanked per window (SpecAugment). 0 = off."
        />
        <NumberField
          field="audio.augment.timeMaskWidth"
          label="Widest time mask"
          suffix="of the window"
          help="Up to this fraction of the window."
        />
        <NumberField
          field="augmentation.variants"
          label="Variants cached per window"
          testId="augment.variants"
          help="With the cache on, each training window is augmented this many times once, and the frozen layers' output for each version is kept."
        />
        <CheckField
          label="Cache frozen layers"
          testId="hp.use-cache"
          checked={useCache}
          onChange={(v) => useStudio.getState().updateSettings({ useCache: v })}
          help="Runs the frozen part of the model once per window (per variant) and reuses the result every epoch: much faster. Off: every batch is augmented afresh."
        />
      </div>
    </Section>
  );
}
