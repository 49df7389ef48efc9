import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../engine/types';
import type { ImageRunRecord, TextRunRecord } from '../engine/run-record';
import type { RunRecord as StoredRun } from '../storage/projects';
import { currentRunIds, runUseBlocker } from './runsActions';
import { useStudio } from './store';

const stored = (over: Partial<StoredRun> = {}): StoredRun => ({
  id: 'r1',
  projectId: 'p',
  labels: ['a', 'b'],
  settings: DEFAULT_SETTINGS,
  history: [],
  initialValLoss: null,
  record: { id: 'r1' } as ImageRunRecord,
  status: 'done',
  startedAt: 1,
  updatedAt: 2,
  ...over,
});

describe('what the runs view may do with a run', () => {
  const idle = useStudio.getState();

  it('makes a finished run with a record current in its own task, and says why not otherwise', () => {
    expect(runUseBlocker(stored(), idle)).toBeNull();
    expect(runUseBlocker(stored({ status: 'stopped' }), idle)).toBeNull();
    expect(runUseBlocker(stored({ record: null }), idle)).toMatch(/before the studio kept run records/);
    expect(runUseBlocker(stored({ status: 'running' }), idle)).toMatch(/not finished/);
    const text = stored({
      text: { task: 'text-generation', settings: {} as TextRunRecord['settings'], labels: [], initial: null, history: [], record: null },
    });
    // A text run: in its own task only, and only with a record.
    expect(runUseBlocker(text, idle)).toMatch(/text generation run: choose that task/);
    const inGeneration = { ...idle, text: { ...idle.text, task: 'text-generation' as const } };
    expect(runUseBlocker(text, inGeneration)).toMatch(/before the studio kept run records/);
    const withRecord = stored({ text: { ...(text.text as NonNullable<StoredRun['text']>), record: { id: 'r1' } as TextRunRecord } });
    expect(runUseBlocker(withRecord, inGeneration)).toBeNull();
    expect(runUseBlocker(stored(), inGeneration)).toMatch(/image classification run: choose that task/);
    expect(runUseBlocker(stored(), { ...idle, status: 'running' })).toMatch(/Wait for the run in progress/);
    expect(runUseBlocker(stored(), { ...idle, text: { ...idle.text, status: 'running' } })).toMatch(/Wait for the run in progress/);
  });

  it('knows which runs’ models are current: the image run with a result, the text run with one', () => {
    expect(currentRunIds({ result: null, runId: 'r1', text: idle.text })).toEqual([]);
    const result = { epochsCompleted: 1, stopped: false, stoppedEarly: null, bestEpoch: 1, history: [], trainableParams: 1 };
    expect(currentRunIds({ result, runId: 'r1', text: idle.text })).toEqual(['r1']);
  });
});
