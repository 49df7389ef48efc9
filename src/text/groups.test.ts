import { describe, expect, it } from 'vitest';
import { countTrainableParams, groupOf, paramGroups, presetGroups, trainableVariableNames, trainsBody } from './groups';
import { countParams, type LmConfig } from './model';

/** The bundled model's shape (public/models/text-lm): 4 blocks of width 128, 4,096 tokens. */
const CONFIG: LmConfig = { vocabSize: 4096, contextLength: 128, width: 128, heads: 4, blocks: 4, mlpRatio: 4 };
const UNTIED = { ...CONFIG, tiedHead: false };

describe('text parameter groups', () => {
  it('partitions every parameter of a generation model into ordered groups', () => {
    const groups = paramGroups(UNTIED, 'text-generation');
    expect(groups.map((g) => g.name)).toEqual(['embeddings', 'block_0', 'block_1', 'block_2', 'block_3', 'final_norm', 'head']);
    expect(groups.reduce((n, g) => n + g.params, 0)).toBe(countParams(UNTIED));
    expect(groups.find((g) => g.name === 'head')).toEqual({ name: 'head', params: 4096 * 128, variables: ['lm_head'] });
    expect(groups.find((g) => g.name === 'embeddings')?.variables).toEqual(['tok_emb', 'pos_emb']);
    expect(groups.find((g) => g.name === 'block_2')?.variables.every((v) => v.startsWith('block2.'))).toBe(true);
  });

  it('a tied config has an empty head; a classifier head is 2D·K + K (two pooled parts)', () => {
    expect(paramGroups(CONFIG, 'text-generation').find((g) => g.name === 'head')?.params).toBe(0);
    const cls = paramGroups(CONFIG, 'text-classification', 3);
    expect(cls.find((g) => g.name === 'head')).toEqual({ name: 'head', params: 2 * 128 * 3 + 3, variables: ['cls.kernel', 'cls.bias'] });
    expect(cls.reduce((n, g) => n + g.params, 0)).toBe(countParams(CONFIG) + 2 * 128 * 3 + 3);
  });

  it('presets and trainable names', () => {
    expect(presetGroups(UNTIED, { kind: 'head-only' })).toEqual(['head']);
    expect(presetGroups(UNTIED, { kind: 'top-blocks', blocks: 2 })).toEqual(['block_2', 'block_3', 'final_norm', 'head']);
    expect(presetGroups(UNTIED, { kind: 'top-blocks', blocks: 9 })).toHaveLength(6);
    const groups = paramGroups(UNTIED, 'text-generation');
    const full = presetGroups(UNTIED, { kind: 'full' });
    expect(countTrainableParams(groups, full)).toBe(countParams(UNTIED));
    expect(trainableVariableNames(groups, ['final_norm', 'head'])).toEqual(['ln_f.gamma', 'ln_f.beta', 'lm_head']);
    expect(() => trainableVariableNames(groups, ['block_9'])).toThrow(/block_9/);
    expect(trainsBody(['head'])).toBe(false);
    expect(trainsBody(['head', 'block_3'])).toBe(true);
    expect(groupOf('block12.ln1.gamma')).toBe('block_12');
    expect(() => groupOf('nope')).toThrow();
  });
});
