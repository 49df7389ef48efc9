import { useShallow, useStudio } from '../../state';

/** How the last run ended when it did not simply run out of epochs: early stopping and the epoch kept. */
export function RunOutcome() {
  const { stoppedEarly, bestEpoch, completed } = useStudio(
    useShallow((s) => ({
      stoppedEarly: s.result?.stoppedEarly ?? null,
      bestEpoch: s.result?.bestEpoch ?? null,
      completed: s.result?.epochsCompleted ?? 0,
    })),
  );
  if (!stoppedEarly) return null;
  return (
    <p className="note" data-testid="train.stopped-early" data-best-epoch={bestEpoch ?? ''}>
      {stoppedEarly} The run ended after epoch {completed}
      {bestEpoch !== null ? `; the model keeps the weights of epoch ${bestEpoch}, the best one (marked on the loss chart).` : '.'}
    </p>
  );
}
