/** Text classification in the worker: the shared text session, and classifying texts. */
import { classify, textSession } from '../../worker/text-session';
import type { Session, SessionContext } from '../../worker/sessions';

export function textClassificationSession(ctx: SessionContext): Session<'text-classification'> & { stop(): void } {
  return {
    ...textSession('text-classification', ctx),
    infer: async (command) => ({ probabilities: await classify(command.texts) }),
  };
}
