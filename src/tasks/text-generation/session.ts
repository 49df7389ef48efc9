/** Text generation in the worker: the shared text session, and generating from a prompt. */
import { generateFromPrompt, textSession } from '../../worker/text-session';
import type { Session, SessionContext } from '../../worker/sessions';

export function textGenerationSession(ctx: SessionContext): Session<'text-generation'> & { stop(): void } {
  return {
    ...textSession('text-generation', ctx),
    infer: async (command) => ({ text: await generateFromPrompt(command, (text) => ctx.post({ type: 'generated', text })) }),
  };
}
