/** The Hugging Face architectures the studio imports, and the task each fine-tunes for (no dependencies: the UI reads it too). */
export type HfArchitecture = 'gpt2' | 'bert' | 'distilbert';

export const HF_TASK: Record<HfArchitecture, 'text-generation' | 'text-classification'> = {
  gpt2: 'text-generation',
  bert: 'text-classification',
  distilbert: 'text-classification',
};
