/** Text generation in the worker: the shared text session, generating from a prompt, and the start of a training job. */
import { generateFromPrompt, textJob, textSession } from '../../worker/text-session';
import type { Session, SessionContext } from '../../worker/sessions';

export function textGenerationSession(ctx: SessionContext): Session<'text-generation'> & { stop(): void } {
  return {
    ...textSession('text-generation', ctx),
    infer: async (command) => ({ text: await generateFromPrompt(command, (text) => ctx.post({ type: 'generated', text })) }),
    jobStart: (command) => textJob(command.settings, command.labels, command.data, { backend: ctx.backend(), run: command.run ?? null }),
  };
}
