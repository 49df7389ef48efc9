/**
 * Plain types of text fine-tuning: tasks, settings, data, events, results. No tfjs here, so the
 * worker protocol and the UI can import them as types.
 */

export type TextTask = 'text-generation' | 'text-classification';

/** How a classifier turns per-token hidden states into one vector per example. */
export type Pooling = 'mean' | 'last';

export type TextOptimizerName = 'adam' | 'adamw' | 'sgd';

export type TextScheduleKind = 'constant' | 'cosine' | 'warmup-cosine';

export interface TextScheduleSettings {
  kind: TextScheduleKind;
  /** 'warmup-cosine': linear warm-up over this many epochs (default 0.1). */
  warmupEpochs?: number;
  /** Cosine schedules end at learningRate × this (default 0.1). */
  minFactor?: number;
}

export interface SampleSettings {
  /** Prompt text (encoded as bytes; an empty prompt starts from BOS). */
  prompt: string;
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  /** 0 = all tokens. */
  topK: number;
  /** Nucleus sampling (default 1: off). */
  topP?: number;
  /** Default: the run's seed. */
  seed?: number;
}

/** The kernels a LoRA adapter can target, by their part of a block (`attn.qkv` is GPT-2's `c_attn`). */
export type LoraTarget = 'attn.qkv' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

/** Low-rank adapters (src/text/lora.ts): what a LoRA run trains beside its trainable groups. */
export interface LoraSettings {
  rank: number;
  alpha: number;
  /** Dropout on each adapter's input while training (default 0). */
  dropout?: number;
  /** Default: the fused query/key/value projection (GPT-2's `c_attn`), as PEFT does for GPT-2. */
  targets?: LoraTarget[];
  /** The adapters' initialisation (a run derives it from its seed). */
  seed?: number;
}

export interface TextEarlyStopping {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Put back the trainable weights of the best epoch at the end. */
  restoreBest: boolean;
  /** Default 'val-loss'. 'val-accuracy' is for classification only. */
  monitor?: 'val-loss' | 'val-accuracy';
}

export interface TextTrainSettings {
  task: TextTask;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: TextOptimizerName;
  /** AdamW: decoupled decay (w ← w·(1 − lr·wd)); adam/sgd: an L2 penalty wd/2·‖w‖². Matrices only. */
  weightDecay: number;
  schedule: TextScheduleSettings;
  /** Generation: residual/embedding dropout in the transformer. Classification: on the pooled vector. */
  dropout: number;
  /** Parameter groups that train (see groups.ts): 'embeddings', 'block_0'…, 'final_norm', 'head'. */
  trainableGroups: string[];
  /** Classification: pooling of the new head (the model's own pooling is used; this must match if set). */
  pooling?: Pooling;
  earlyStopping?: TextEarlyStopping | null;
  /** Open one more trainable group, from the top, every `everyEpochs` epochs (the head trains from the start). Default off. */
  gradualUnfreezing?: { enabled: boolean; everyEpochs: number };
  /** The groups below the head train at learningRate × this (default 1). */
  backboneLrMultiplier?: number;
  /** Generation: a sample generated before training and after every epoch. */
  sample?: SampleSettings | null;
  /** Generation: at most this many validation windows are evaluated (default: all). */
  maxValidationWindows?: number;
  /** Train low-rank adapters on the frozen kernels too (with the groups above, usually none). */
  lora?: LoraSettings | null;
  /**
   * Generation: tokens per training window, at most the model's context (the default). A shorter
   * context costs less memory per step (attention grows with its square); the model still reads its
   * whole context when it writes.
   */
  contextLength?: number | null;
}

export interface LabelledText {
  text: string;
  /** Index into the model's labels. */
  label: number;
}

export type TextTrainingData =
  | { task: 'text-generation'; train: string; validation: string }
  | { task: 'text-classification'; train: LabelledText[]; validation: LabelledText[] };

export interface TextEpochMetrics {
  epoch: number;
  /** null for the initial (epoch 0) evaluation. */
  trainLoss: number | null;
  valLoss: number;
  /** exp(valLoss) for generation (per token); null for classification. */
  perplexity: number | null;
  /** Classification only. */
  valAccuracy: number | null;
  learningRate: number;
  /** Generation with `settings.sample`: the text generated from the prompt. */
  sample: string | null;
  /** Seconds the epoch took (0 for the initial evaluation). */
  seconds: number;
}

export type TextTrainEvent =
  | {
      /** Before the first step: validation metrics of the starting weights (`metrics.val-loss-initial`). */
      type: 'initial';
      epoch: 0;
      metrics: TextEpochMetrics;
      trainableParams: number;
      totalParams: number;
      trainExamples: number;
      validationExamples: number;
      batchesPerEpoch: number;
      /** Classification with no trainable body group: pooled features are computed once. */
      cachedFeatures: boolean;
    }
  | { type: 'batch'; epoch: number; batch: number; batches: number; step: number; loss: number; learningRate: number }
  | { type: 'epoch'; metrics: TextEpochMetrics }
  | { type: 'done'; reason: TextStopReason; epochs: number; bestEpoch: number | null; metrics: TextEpochMetrics };

export type TextStopReason = 'completed' | 'stopped' | 'early-stopped';

export interface ClassificationEvaluation {
  /** True label per validation example. */
  labels: Int32Array;
  /** Predicted label (argmax) per example. */
  predicted: Int32Array;
  /** Softmax probabilities, row-major [examples, classes]. */
  probabilities: Float32Array;
  accuracy: number;
  loss: number;
}

export interface TextTrainResult {
  reason: TextStopReason;
  /** Completed epochs. */
  epochs: number;
  initial: TextEpochMetrics;
  history: TextEpochMetrics[];
  bestEpoch: number | null;
  /** Metrics of the weights the model holds at the end (the best epoch's when restored). */
  final: TextEpochMetrics;
  /** Classification: per-example results on the validation set with the final weights. */
  evaluation: ClassificationEvaluation | null;
}
