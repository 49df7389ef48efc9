/**
 * Sweeps' pure part: seeded sampling stays in range and repeats for a seed, the learning rate is
 * log-uniform (as many trials per decade, where a uniform draw would put almost all in the top one),
 * rungs, promotion of the top third, and a whole successive-halving schedule played through.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPACE,
  epochCost,
  keepCount,
  nextAction,
  promoted,
  rungEpochs,
  sampleTrials,
  spaceProblem,
  type SweepSpace,
  type TrialProgress,
} from './sweep';

const SPACE: SweepSpace = {
  learningRate: { on: true, min: 1e-4, max: 3e-2 },
  batchSize: { on: true, choices: [8, 16, 32] },
  dropout: { on: true, min: 0.1, max: 0.5 },
  weightDecay: { on: true, min: 1e-5, max: 1e-3 },
  topBlocks: { on: true, choices: [0, 1, 2] },
  augmentation: { on: true },
};

describe('sampleTrials', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(sampleTrials(SPACE, 8, 1)).toEqual(sampleTrials(SPACE, 8, 1));
    expect(sampleTrials(SPACE, 8, 2)).not.toEqual(sampleTrials(SPACE, 8, 1));
    // The first trials do not change when more are asked for.
    expect(sampleTrials(SPACE, 12, 1).slice(0, 8)).toEqual(sampleTrials(SPACE, 8, 1));
  });

  it('keeps every value in its range or among its choices', () => {
    for (const t of sampleTrials(SPACE, 300, 7)) {
      expect(t.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(t.learningRate).toBeLessThanOrEqual(3e-2);
      expect(t.dropout).toBeGreaterThanOrEqual(0.1);
      expect(t.dropout).toBeLessThanOrEqual(0.5);
      expect(t.weightDecay).toBeGreaterThanOrEqual(1e-5);
      expect(t.weightDecay).toBeLessThanOrEqual(1e-3);
      expect([8, 16, 32]).toContain(t.batchSize);
      expect([0, 1, 2]).toContain(t.topBlocks);
      expect(typeof t.augmentation).toBe('boolean');
    }
  });

  it('draws the learning rate log-uniformly: about as many trials in each decade', () => {
    const space: SweepSpace = { ...SPACE, learningRate: { on: true, min: 1e-5, max: 1e-1 } };
    const lrs = sampleTrials(space, 4000, 3).map((t) => t.learningRate as number);
    const perDecade = [-5, -4, -3, -2].map((d) => lrs.filter((v) => v >= 10 ** d && v < 10 ** (d + 1)).length / lrs.length);
    for (const share of perDecade) expect(share).toBeGreaterThan(0.2);
    for (const share of perDecade) expect(share).toBeLessThan(0.3);
    // A uniform draw over the same range would leave under 1% below 1e-3.
    expect(lrs.filter((v) => v < 1e-3).length / lrs.length).toBeGreaterThan(0.4);
  });

  it('leaves a dimension that is off to the run, and its values do not move the others', () => {
    const off = sampleTrials({ ...SPACE, batchSize: { on: false, choices: [8] }, augmentation: { on: false } }, 20, 5);
    const on = sampleTrials(SPACE, 20, 5);
    for (const [i, t] of off.entries()) {
      expect(t.batchSize).toBeUndefined();
      expect(t.augmentation).toBeUndefined();
      expect(t.learningRate).toBe(on[i]?.learningRate);
      expect(t.dropout).toBe(on[i]?.dropout);
    }
    expect(Object.keys(sampleTrials(DEFAULT_SPACE, 1, 1)[0] ?? {}).sort()).toEqual(['dropout', 'learningRate']);
  });

  it('draws the input size among its choices, and a space stored before the dimension existed draws none', () => {
    const sized = sampleTrials({ ...SPACE, imageSize: { on: true, choices: [96, 160] } }, 40, 3);
    const sizes = new Set(sized.map((t) => t.imageSize));
    expect([...sizes].sort()).toEqual([160, 96]);
    const plain = sampleTrials(SPACE, 40, 3);
    plain.forEach((t, i) => {
      expect(t.imageSize).toBeUndefined();
      expect(t.learningRate).toBe(sized[i]?.learningRate);
    });
  });

  it('draws weight decay from 0 uniformly when its minimum is 0', () => {
    const wds = sampleTrials({ ...SPACE, weightDecay: { on: true, min: 0, max: 1e-3 } }, 2000, 9).map((t) => t.weightDecay as number);
    expect(Math.min(...wds)).toBeGreaterThanOrEqual(0);
    expect(wds.filter((v) => v > 5e-4).length / wds.length).toBeGreaterThan(0.4);
  });
});

describe('spaceProblem', () => {
  it('accepts a sound space and refuses bad input with a sentence', () => {
    expect(spaceProblem(SPACE, 4)).toBeNull();
    expect(spaceProblem(SPACE, 0)).toMatch(/at least 1 trial/);
    expect(spaceProblem(SPACE, 2.5)).toMatch(/whole number/);
    expect(spaceProblem({ ...SPACE, learningRate: { on: true, min: 0.1, max: 0.01 } }, 4)).toMatch(/minimum is above its maximum/);
    expect(spaceProblem({ ...SPACE, learningRate: { on: true, min: 0, max: 0.01 } }, 4)).toMatch(/above 0/);
    expect(spaceProblem({ ...SPACE, dropout: { on: true, min: 0.6, max: 0.2 } }, 4)).toMatch(/Dropout/);
    expect(spaceProblem({ ...SPACE, dropout: { on: true, min: 0, max: 1 } }, 4)).toMatch(/below 1/);
    expect(spaceProblem({ ...SPACE, batchSize: { on: true, choices: [] } }, 4)).toMatch(/Batch sizes/);
    expect(spaceProblem({ ...SPACE, imageSize: { on: true, choices: [96, 16] } }, 4)).toMatch(/Input sizes/);
    expect(spaceProblem({ ...SPACE, imageSize: { on: true, choices: [96, 128] } }, 4)).toBeNull();
    // A range that is off is not checked.
    expect(spaceProblem({ ...SPACE, learningRate: { on: false, min: 1, max: 0 } }, 4)).toBeNull();
  });

  it('refuses trainable blocks on a head-only backend', () => {
    expect(spaceProblem(SPACE, 4, { headOnly: true })).toMatch(/WASM/);
    expect(spaceProblem({ ...SPACE, topBlocks: { on: true, choices: [0] } }, 4, { headOnly: true })).toBeNull();
  });
});

describe('rungs and promotion', () => {
  it('rungs grow threefold up to the run’s epochs', () => {
    expect(rungEpochs(9)).toEqual([1, 3, 9]);
    expect(rungEpochs(10)).toEqual([1, 3, 10]);
    expect(rungEpochs(3)).toEqual([1, 3]);
    expect(rungEpochs(2)).toEqual([1, 2]);
    expect(rungEpochs(1)).toEqual([1]);
    expect(rungEpochs(27, 3)).toEqual([3, 9, 27]);
    expect(rungEpochs(5, 5)).toEqual([5]);
  });

  it('keeps the top third, at least one', () => {
    expect([1, 2, 3, 4, 6, 9, 10].map((n) => keepCount(n))).toEqual([1, 1, 1, 1, 2, 3, 3]);
    expect(
      promoted([
        { trial: 1, metric: 0.5 },
        { trial: 2, metric: 0.9 },
        { trial: 3, metric: 0.7 },
        { trial: 4, metric: 0.2 },
      ]),
    ).toEqual([2]);
    const six = [0.1, 0.8, 0.3, 0.8, 0.95, null].map((metric, i) => ({ trial: i + 1, metric }));
    // Ties go to the earlier trial; a trial without a metric ranks last.
    expect(promoted(six)).toEqual([2, 5]);
    // A loss: the lowest go on, and a trial without a metric still ranks last.
    expect(promoted(six, 3, false)).toEqual([1, 3]);
  });
});

/** Plays a whole sweep through `nextAction`, with each trial's metric at a rung given by `metric`. */
function play(n: number, rungs: number[], metric: (trial: number, epochs: number) => number) {
  const trials: TrialProgress[] = Array.from({ length: n }, (_, i) => ({ trial: i + 1, state: 'queued', metrics: [] }));
  const log: string[] = [];
  for (let guard = 0; guard < 100; guard++) {
    const a = nextAction(trials, rungs);
    if (a.kind === 'done') return { trials, log };
    if (a.kind === 'promote') {
      log.push(`promote ${a.keep.join(',')} stop ${a.stop.join(',')}`);
      for (const t of trials) {
        if (a.keep.includes(t.trial)) t.state = 'queued';
        if (a.stop.includes(t.trial)) t.state = 'stopped-early';
      }
      continue;
    }
    const t = trials.find((x) => x.trial === a.trial) as TrialProgress;
    expect(t.metrics.length).toBe(a.rung);
    log.push(`train ${a.trial} ${a.fromEpochs}→${a.epochs}`);
    t.metrics.push(metric(a.trial, a.epochs));
    t.state = t.metrics.length === rungs.length ? 'done' : 'waiting';
  }
  throw new Error('the sweep did not end');
}

describe('nextAction', () => {
  it('runs four trials for one epoch, then only the best to the end', () => {
    const { trials, log } = play(4, [1, 3], (trial, epochs) => [0.5, 0.9, 0.7, 0.2][trial - 1]! + epochs / 100);
    expect(log).toEqual(['train 1 0→1', 'train 2 0→1', 'train 3 0→1', 'train 4 0→1', 'promote 2 stop 1,3,4', 'train 2 1→3']);
    expect(trials.map((t) => t.state)).toEqual(['stopped-early', 'done', 'stopped-early', 'stopped-early']);
    expect(epochCost(trials, [1, 3])).toEqual({ spent: 6, full: 12 });
  });

  it('halves over three rungs: nine trials, three, one', () => {
    const { trials, log } = play(9, [1, 3, 9], (trial) => trial / 10);
    expect(log.filter((l) => l.startsWith('promote'))).toEqual(['promote 7,8,9 stop 1,2,3,4,5,6', 'promote 9 stop 7,8']);
    expect(trials.filter((t) => t.state === 'done').map((t) => t.trial)).toEqual([9]);
    expect(epochCost(trials, [1, 3, 9])).toEqual({ spent: 6 * 1 + 2 * 3 + 9, full: 81 });
  });

  it('trains every trial in full when there is one rung, and skips failed trials', () => {
    const trials: TrialProgress[] = [
      { trial: 1, state: 'failed', metrics: [] },
      { trial: 2, state: 'queued', metrics: [] },
    ];
    expect(nextAction(trials, [3])).toEqual({ kind: 'train', trial: 2, rung: 0, epochs: 3, fromEpochs: 0 });
    trials[1]!.metrics.push(0.5);
    trials[1]!.state = 'done';
    expect(nextAction(trials, [3])).toEqual({ kind: 'done' });
  });
});
