import { overfitting, useStudio } from '../../state';

export function OverfitNote() {
  const show = useStudio((s) => overfitting(s.history));
  if (!show) return null;
  return (
    <p className="note" data-testid="metrics.overfitting">
      Validation loss has risen for two epochs while training loss kept falling: the model is starting to memorise the
      training images. Consider stopping, adding more images, raising dropout or training fewer layers.
    </p>
  );
}
