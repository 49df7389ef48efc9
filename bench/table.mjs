/**
 * The pure half of `npm run bench`: from what the benchmark page measured to the numbers in
 * bench/results.json, and from results.json to the Markdown table the README shows. No I/O here,
 * so bench/table.test.ts can pin the format to the JSON.
 */

const round1 = (x) => Math.round(x * 10) / 10;

/** Mean of the values after the first (the first epoch also compiles shaders and warms pools). */
export function steady(values) {
  const rest = values.slice(1);
  return rest.length ? rest.reduce((s, v) => s + v, 0) / rest.length : (values[0] ?? 0);
}

/** Tensors gained per epoch, over the epochs after the first; 0 with fewer than three epochs. */
export function growth(counts) {
  const rest = counts.slice(1);
  if (rest.length < 2) return 0;
  return ((rest.at(-1) ?? 0) - (rest[0] ?? 0)) / (rest.length - 1);
}

/** How many times faster the studio is: baseline / studio, two decimals; null when either is missing. */
export function ratio(baseline, studio) {
  if (baseline == null || studio == null || !(studio > 0)) return null;
  return Math.round((baseline / studio) * 100) / 100;
}

const ok = (side) => side && !side.error;

/**
 * One case of results.json from the page's raw measurement (see src/bench/main.ts `BenchRaw`).
 * Per epoch: epochs after the first. Totals: the time to a trained model (decoding, resizing,
 * the frozen-prefix cache or the pixel tensors, and every epoch).
 */
export function summarizeCase(raw) {
  const s = ok(raw.studio) ? raw.studio : null;
  const b = ok(raw.baseline) ? raw.baseline : null;
  const studioMs = s ? round1(steady(s.epoch_ms)) : null;
  const baselineMs = b ? round1(steady(b.epoch_ms)) : null;
  const studioTotal = s ? Math.round(s.total_ms) : null;
  const baselineTotal = b ? Math.round(b.total_ms) : null;
  const out = {
    name: raw.id,
    task: raw.task ?? 'image-classification',
    preset: raw.preset,
    backend: raw.backend,
    imageSize: raw.imageSize,
    batchSize: raw.batchSize,
    images: raw.images,
    epochs: raw.epochs,
    trainable_blocks: raw.trainable_blocks,
    trainable_layers: raw.trainable_layers,
    studio_ms_per_epoch: studioMs,
    baseline_ms_per_epoch: baselineMs,
    speedup: ratio(baselineMs, studioMs),
    studio_total_ms: studioTotal,
    baseline_total_ms: baselineTotal,
    total_speedup: ratio(baselineTotal, studioTotal),
    studio_first_epoch_ms: s ? Math.round(s.epoch_ms[0] ?? 0) : null,
    baseline_first_epoch_ms: b ? Math.round(b.epoch_ms[0] ?? 0) : null,
    studio_prepare_ms: s ? Math.round(s.prepare_ms) : null,
    studio_cache_ms: s ? Math.round(s.cache_ms) : null,
    baseline_prepare_ms: b ? Math.round(b.prepare_ms) : null,
    tensor_growth_per_epoch: s ? growth(s.tensors) : null,
    baseline_tensor_growth_per_epoch: b ? growth(b.tensors) : null,
    main_thread_long_tasks: s ? s.long_tasks.filter((d) => d > 50).length : null,
    longest_main_thread_task_ms: s ? Math.round(Math.max(0, ...s.long_tasks)) : null,
    studio_epoch_ms: s ? s.epoch_ms.map(round1) : [],
    baseline_epoch_ms: b ? b.epoch_ms.map(round1) : [],
  };
  if (raw.studio?.error) out.studio_error = raw.studio.error;
  if (raw.baseline?.error) out.baseline_error = raw.baseline.error;
  return out;
}

/** Whether a run covered every case of the list (only such a run is the README's). */
export function isComplete(ran, all) {
  return all.every((id) => ran.includes(id));
}

export const COLUMNS = [
  'case',
  'backend',
  'input',
  'images / batch',
  'studio ms/epoch',
  'baseline ms/epoch',
  'speedup',
  'epochs',
  'studio total s',
  'baseline total s',
  'total speedup',
  'studio cache s',
  'tensor growth / epoch',
  'main-thread long tasks',
];

const ms = (x) => (x == null ? '—' : Math.round(x).toLocaleString('en-US'));
const seconds = (x) => (x == null ? '—' : (x / 1000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
export const times = (x) => (x == null ? '—' : `${Number(x.toPrecision(3))}×`);

function failure(message) {
  const first = String(message).split('\n')[0] ?? '';
  const short = first.length > 60 ? `${first.slice(0, 57)}…` : first;
  return `fails (“${short.replaceAll('|', '/')}”)`;
}

/** The case column: its id, and for a partial fine-tune which blocks train (a segmenter's head is its decoder). */
export function caseLabel(r) {
  const blocks = r.trainable_blocks ?? [];
  const head = r.task === 'image-segmentation' ? 'decoder' : 'head';
  if (r.preset === 'top-blocks' && blocks.length) return `${r.name} (${blocks.join(', ')} + ${head})`;
  if (r.task === 'image-segmentation' && r.preset === 'head-only') return `${r.name} (decoder only)`;
  return r.name;
}

/** One table row (cells as strings) per case. */
export function tableRows(results) {
  return results.cases.map((r) => [
    caseLabel(r),
    r.backend,
    String(r.imageSize),
    `${r.images} / ${r.batchSize}`,
    r.studio_error ? failure(r.studio_error) : ms(r.studio_ms_per_epoch),
    r.baseline_error ? failure(r.baseline_error) : ms(r.baseline_ms_per_epoch),
    times(r.speedup),
    String(r.epochs),
    seconds(r.studio_total_ms),
    seconds(r.baseline_total_ms),
    r.total_speedup == null ? '—' : `**${times(r.total_speedup)}**`,
    seconds(r.studio_cache_ms),
    r.tensor_growth_per_epoch == null ? '—' : String(r.tensor_growth_per_epoch),
    r.main_thread_long_tasks == null ? '—' : String(r.main_thread_long_tasks),
  ]);
}

/** The line under the table: the command, which cases, the date, the commit and the machine. */
export function runNote(results) {
  const day = results.date.slice(0, 10);
  const which = results.complete ? 'every case' : `only ${results.cases_run.join(', ')} (a partial run)`;
  const commit = `${results.git.commit.slice(0, 7)}${results.git.dirty ? ' with local changes' : ''}`;
  return `Measured by \`${results.command}\` (${which}) on ${day}, commit ${commit}; ${results.machine}, ${results.browser}.`;
}

/** The Markdown the README pastes: the table, a blank line, the note. */
export function markdown(results) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(COLUMNS), line(COLUMNS.map(() => '---')), ...tableRows(results).map(line), '', runNote(results)].join('\n');
}
