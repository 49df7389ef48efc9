import { useState } from 'react';
import { augmentationOn } from '../../engine/types';
import { useShallow, useStudio } from '../../state';
import { CheckField } from '../common/CheckField';
import { NumberField } from '../common/NumberField';
import { Section } from '../common/Section';
import { AugmentPreview } from './AugmentPreview';

export function AugmentSection() {
  const [open, setOpen] = useState(false);
  const { aug, useCache, attention, seg } = useStudio(
    useShallow((s) => ({
      // The preview draws a classification image; segmentation's masks move with their images (not previewed yet).
      seg: s.text.task === 'image-segmentation',
      aug: s.settings.augmentation,
      useCache: s.settings.useCache,
      attention: Object.keys(s.fieldErrors).some((k) => k.startsWith('augmentation.')),
    })),
  );
  const { updateGroup, updateSettings } = useStudio.getState();
  const on = augmentationOn(aug);
  const summary = `${on ? 'on' : 'off'}, ${useCache ? `cache on (${aug.variants} variants per image)` : 'cache off'}`;
  return (
    <Section id="augmentation" title="Augmentation & caching" summary={summary} attention={attention} onOpenChange={setOpen}>
      <p className="help section-intro">
        Augmentation shows the model slightly altered copies of each training image (flipped, cropped, turned, lighter or darker) so it
        learns what matters rather than memorising pictures. Validation images are never altered.
      </p>
      <div className="hp-grid">
        <CheckField
          label="Random flip"
          testId="augment.flip"
          checked={aug.flip}
          onChange={(flip) => updateGroup('augmentation', { flip })}
          help="Mirror left–right at random. Leave off when direction matters (text, arrows)."
        />
        <NumberField
          field="augmentation.cropScale"
          label="Crop and resize: smallest side"
          testId="augment.crop-scale"
          help="Random crops keep at least this fraction of the side, then scale back up. 1 = off; 0.8 is mild."
        />
        <NumberField
          field="augmentation.rotationDeg"
          label="Rotation"
          suffix="± degrees"
          testId="augment.rotation"
          help="Turn by a random angle up to this. 0 = off; 10–15 suits photos."
        />
        <NumberField
          field="augmentation.brightness"
          label="Brightness"
          suffix="±"
          testId="augment.brightness"
          help="Lighten or darken by up to this (0–0.5). 0 = off."
        />
        <NumberField
          field="augmentation.contrast"
          label="Contrast"
          suffix="±"
          testId="augment.contrast"
          help="Change contrast by up to this fraction. 0 = off."
        />
        <NumberField
          field="augmentation.variants"
          label="Variants cached per image"
          testId="augment.variants"
          help="With the cache on, each training image is augmented this many times once, and the frozen layers' output for each version is kept."
        />
        <CheckField
          label="Cache frozen layers"
          testId="hp.use-cache"
          checked={useCache}
          onChange={(v) => updateSettings({ useCache: v })}
          help="Runs the frozen part of the model once per image (per variant) and reuses the result every epoch: much faster. Off: every batch is augmented afresh, but the frozen layers are recomputed each time."
        />
      </div>
      {!seg && <AugmentPreview active={open} />}
    </Section>
  );
}
