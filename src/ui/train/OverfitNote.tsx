import { overfitOnset, useShallow, useStudio } from '../../state';

/** Says when validation loss has been rising while training loss falls, from which epoch, and what helps. */
export function OverfitNote() {
  const onset = useStudio(useShallow((s) => overfitOnset(s.history)));
  if (!onset) return null;
  return (
    <div className="note note-warn" data-testid="metrics.overfitting" data-epoch={onset.epoch}>
      <p>
        <strong>The model is starting to memorise the training images.</strong> Validation loss has risen for {onset.rising} epochs since
        epoch {onset.epoch} (marked on the loss chart) while training loss kept falling.
      </p>
      <p>
        What helps: more images, augmentation (step 3, Augmentation), more dropout or weight decay (Regularisation, Optimisation), early
        stopping, or fewer trainable layers (step 2).
      </p>
    </div>
  );
}
