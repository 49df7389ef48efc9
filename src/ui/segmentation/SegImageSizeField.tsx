import { SEG_SIZES } from '../../tasks/image-segmentation/model';
import { useStudio } from '../../state';
import { SelectField } from '../common/SelectField';

/** Segmentation's input side: a multiple of 32 from 128 to 256 (the encoder halves the picture five times). */
export function SegImageSizeField() {
  const size = useStudio((s) => s.settings.imageSize);
  const allowed = (SEG_SIZES as readonly number[]).includes(size);
  const options = SEG_SIZES.map((n) => ({ value: String(n), label: `${n} × ${n} px` }));
  if (!allowed) options.unshift({ value: String(size), label: `${size} px (not for segmentation: choose another)` });
  return (
    <SelectField
      label="Input size"
      testId="hp.image-size"
      value={String(size)}
      options={options}
      onChange={(v) => useStudio.getState().setImageSize(Number(v))}
      help="Side of the square the model sees and predicts at; masks are scaled with it. Finer detail costs compute: 256 px is 4× the work of 128."
    />
  );
}
