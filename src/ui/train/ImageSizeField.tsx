import { INPUT_SIZES } from '../../engine/autosize';
import { autoImageSize, useShallow, useStudio } from '../../state';
import { SelectField } from '../common/SelectField';

/** Input size: Auto (from the dataset's image sizes, until the person picks one) or a fixed side. */
export function ImageSizeField() {
  const { size, auto, suggested, hasImages } = useStudio(
    useShallow((s) => ({
      size: s.settings.imageSize,
      auto: s.imageSizeAuto,
      suggested: autoImageSize(s.images),
      hasImages: s.images.length > 0,
    })),
  );
  const autoLabel = hasImages ? `Auto (${suggested} px for your images)` : `Auto (${suggested} px until images are added)`;
  return (
    <SelectField
      label="Input size"
      testId="hp.image-size"
      value={auto ? 'auto' : String(size)}
      options={[{ value: 'auto', label: autoLabel }, ...INPUT_SIZES.map((n) => ({ value: String(n), label: `${n} × ${n} px` }))]}
      onChange={(v) => useStudio.getState().setImageSize(v === 'auto' ? 'auto' : Number(v))}
      help="Side of the square the model sees. Small pictures are not blown up needlessly; 224 matches the pre-training and costs about 5× the compute of 96."
    />
  );
}
