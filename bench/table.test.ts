import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES } from './cases.mjs';
import { COLUMNS, growth, isComplete, markdown, ratio, steady, summarizeCase, tableRows } from './table.mjs';

const raw = {
  id: 'top-blocks-96',
  preset: 'top-blocks',
  backend: 'webgl',
  imageSize: 96,
  batchSize: 8,
  images: 32,
  epochs: 3,
  trainable_layers: 20,
  trainable_blocks: ['block_15', 'block_16', 'top'],
  studio: {
    epoch_ms: [12000, 6000, 7000],
    tensors: [500, 510, 510],
    total_ms: 40000.4,
    prepare_ms: 15000,
    cache_ms: 9000,
    long_tasks: [30, 60, 120],
  },
  baseline: { epoch_ms: [26000, 14000, 15000], tensors: [700, 700, 700], total_ms: 60000, prepare_ms: 5000 },
};

function results(cases: unknown[], ran = CASES.map((c) => c.id)) {
  return {
    command: 'npm run bench',
    cases_run: ran,
    all_cases: CASES.map((c) => c.id),
    complete: isComplete(
      ran,
      CASES.map((c) => c.id),
    ),
    date: '2026-11-27T10:00:00.000Z',
    git: { commit: '0123456789abcdef', dirty: false },
    machine: '2 × CPU, 24 GiB, linux',
    browser: 'headless Chromium 140',
    cases,
  };
}

describe('bench numbers', () => {
  it('per epoch leaves out the first epoch; growth counts tensors gained per epoch after it', () => {
    expect(steady([100, 10, 20])).toBe(15);
    expect(steady([42])).toBe(42);
    expect(growth([1, 10, 12, 14])).toBe(2);
    expect(growth([1, 10])).toBe(0);
  });

  it('speedups are baseline over studio, and null when a side is missing', () => {
    expect(ratio(350, 100)).toBe(3.5);
    expect(ratio(null, 100)).toBeNull();
    expect(ratio(100, 0)).toBeNull();
  });

  it('a case carries per-epoch and total speedups from the same measurements', () => {
    const r = summarizeCase(raw);
    expect(r.name).toBe('top-blocks-96');
    expect(r.studio_ms_per_epoch).toBe(6500);
    expect(r.baseline_ms_per_epoch).toBe(14500);
    expect(r.speedup).toBe(2.23);
    expect(r.studio_total_ms).toBe(40000);
    expect(r.baseline_total_ms).toBe(60000);
    expect(r.total_speedup).toBe(1.5);
    expect(r.studio_cache_ms).toBe(9000);
    expect(r.tensor_growth_per_epoch).toBe(0);
    expect(r.main_thread_long_tasks).toBe(2);
    expect(r.longest_main_thread_task_ms).toBe(120);
    expect(r.baseline_error).toBeUndefined();
  });

  it('a side that failed has no numbers and says why', () => {
    const r = summarizeCase({ ...raw, baseline: { error: 'memory access out of bounds' } });
    expect(r.baseline_ms_per_epoch).toBeNull();
    expect(r.speedup).toBeNull();
    expect(r.total_speedup).toBeNull();
    expect(r.baseline_error).toBe('memory access out of bounds');
    expect(r.studio_total_ms).toBe(40000);
  });
});

describe('bench table', () => {
  it('has one row per case, each as wide as the header, built from the JSON', () => {
    const res = results([summarizeCase(raw), summarizeCase({ ...raw, id: 'x', baseline: { error: 'a | b' } })]);
    const md = markdown(res).split('\n');
    expect(md[0]).toBe(`| ${COLUMNS.join(' | ')} |`);
    const rows = md.slice(2, 4);
    for (const row of rows) expect(row.split(' | ')).toHaveLength(COLUMNS.length);
    const cells = tableRows(res)[0]!;
    const at = (col: string) => cells[COLUMNS.indexOf(col)];
    expect(at('case')).toBe('top-blocks-96 (block_15, block_16, top + head)');
    expect(at('images / batch')).toBe('32 / 8');
    expect(at('studio ms/epoch')).toBe('6,500');
    expect(at('baseline ms/epoch')).toBe('14,500');
    expect(at('speedup')).toBe('2.23×');
    expect(at('studio total s')).toBe('40.0');
    expect(at('baseline total s')).toBe('60.0');
    expect(at('total speedup')).toBe('**1.5×**');
    expect(tableRows(res)[1]![COLUMNS.indexOf('baseline ms/epoch')]).toBe('fails (“a / b”)');
  });

  it("shows the studio's cache time, and names a segmenter's decoder in the case column", () => {
    const seg = summarizeCase({ ...raw, id: 'seg-blocks-webgl', task: 'image-segmentation', trainable_blocks: ['block_16', 'top'] });
    const decoderOnly = summarizeCase({
      ...raw,
      id: 'seg-decoder-wasm',
      task: 'image-segmentation',
      preset: 'head-only',
      trainable_blocks: [],
    });
    const res = results([summarizeCase(raw), seg, decoderOnly]);
    const col = (row: number, name: string) => tableRows(res)[row]![COLUMNS.indexOf(name)];
    expect(col(0, 'studio cache s')).toBe('9.0');
    expect(summarizeCase(raw).task).toBe('image-classification');
    expect(seg.task).toBe('image-segmentation');
    expect(col(1, 'case')).toBe('seg-blocks-webgl (block_16, top + decoder)');
    expect(col(2, 'case')).toBe('seg-decoder-wasm (decoder only)');
  });

  it('names the command, the date and the commit under the table, and marks a partial run', () => {
    const full = markdown(results([summarizeCase(raw)]));
    expect(full.split('\n').at(-1)).toBe(
      'Measured by `npm run bench` (every case) on 2026-11-27, commit 0123456; 2 × CPU, 24 GiB, linux, headless Chromium 140.',
    );
    const part = markdown(results([summarizeCase(raw)], ['top-blocks-96']));
    expect(part).toMatch(/only top-blocks-96 \(a partial run\)/);
  });

  it('the case list has one entry per id', () => {
    const ids = CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("the README's Speed table is the output of the run in bench/results.json", (ctx) => {
    const root = join(import.meta.dirname, '..');
    const saved = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8'));
    if (!saved.complete) ctx.skip('bench/results.json holds a partial run (npm run bench -- --cases …)');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(markdown(saved));
  });
});
