/**
 * Audio classification end to end: the built-in voices sample (12 synthetic voices saying the same
 * phrases four ways), split by speaker, MobileNetV2 reading log-mel spectrograms, trained with the
 * defaults on WASM; per-clip evaluation; a download whose own frontend.js and model, run in plain
 * tfjs in Node, recognise voices never heard and give the studio's own answer for a clip. Bad clips
 * are told in words with nothing loaded lost; the microphone records into a class.
 */
import { strFromU8 } from 'fflate';
import { encodeWav } from '../scripts/wav.mjs';
import { loadExportedModel } from './export-model';
import { audioZip, clipProbabilities, heldOutVoices, importFrontend, openAudio, toneWav, unweightedAverageRecall } from './audio-data';
import { test, expect } from './fixtures';

test('the defaults on the voices sample recognise emotions of voices never heard, and the download agrees with the studio', async ({
  studio,
  page,
}) => {
  test.setTimeout(20 * 60_000);
  await openAudio(studio, '?backend=wasm&seed=1');
  await studio.id('dataset.sample').click();
  await expect(studio.summary).toHaveAttribute('data-items', '288', { timeout: 120_000 });
  await expect(studio.summary).toHaveAttribute('data-classes', '4');
  // The sample sets its speaker key: whole voices are held out.
  await expect(studio.id('audio.group-notice')).toContainText('12 speakers');
  await studio.startTraining();
  await studio.waitForState('done', 15 * 60_000);
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm');
  await expect(studio.id('eval.uar')).toHaveAttribute('data-value', /\d/, { timeout: 120_000 });
  await expect(studio.id('eval.confusion-matrix')).toBeVisible();

  const files = await studio.exportZip('export.tfjs');
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'metadata.json', 'frontend.js', 'README.md']));
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array));
  expect(meta).toMatchObject({
    task: 'audio-classification',
    labels: ['angry', 'happy', 'neutral', 'sad'],
    frontend: { sampleRate: 16000 },
  });
  expect(strFromU8(files['README.md'] as Uint8Array)).toContain('make-audio-sample.mjs');
  const model = await loadExportedModel(files);
  const frontend = await importFrontend(files['frontend.js'] as Uint8Array);

  // Six voices the sample never had (another seed, other voice ids), 144 clips: scored in Node alone.
  const held = heldOutVoices(6, 101, 7);
  const predicted = held.map((c) => {
    const p = clipProbabilities(model, frontend, c.samples, c.sampleRate);
    return meta.labels[p.indexOf(Math.max(...p))] as string;
  });
  const uar = unweightedAverageRecall(
    held.map((c) => c.label),
    predicted,
  );
  console.log(`held-out voices: unweighted average recall ${uar.toFixed(3)} over ${held.length} clips`);
  expect(uar).toBeGreaterThanOrEqual(0.6);

  // The studio's answer for a clip equals the download's in Node.
  const clip = held[7]!;
  await studio.id('try.file-input').setInputFiles(clip.path);
  await expect(studio.id('try.result')).toHaveAttribute('data-probabilities', /\[/);
  const shown = JSON.parse((await studio.id('try.result').getAttribute('data-probabilities')) ?? '[]') as number[];
  const node = clipProbabilities(model, frontend, clip.samples, clip.sampleRate);
  expect(Math.max(...shown.map((p, i) => Math.abs(p - (node[i] ?? 0))))).toBeLessThan(1e-3);
  await page.screenshot({ path: 'test-results/audio-evaluate.png', fullPage: true });
});

test('bad clips are told in words and nothing loaded is lost; no speaker key is said', async ({ studio }) => {
  await openAudio(studio, '?backend=wasm&seed=2');
  const good = audioZip('good.zip', {
    'low/a1.wav': toneWav(1, 220),
    'low/a2.wav': toneWav(1.2, 200),
    'high/b1.wav': toneWav(1, 1500),
    'high/b2.wav': toneWav(0.8, 1700),
  });
  await studio.addFiles([good]);
  await expect(studio.summary).toHaveAttribute('data-items', '4');
  await expect(studio.id('audio.group-notice')).toContainText('No speaker key');

  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
  const garbage = new Uint8Array(4000).map((_, i) => (i * 37) % 251);
  const bad = audioZip('bad.zip', {
    'low/a3.wav': toneWav(0.9, 240),
    'low/corrupt.wav': garbage,
    'low/empty.wav': new Uint8Array(0),
    'high/picture.wav': png,
    'high/quiet.wav': encodeWav(new Float32Array(16000), 16000),
    'high/long.wav': toneWav(20 * 60, 1400, 8000),
    'mid/only.wav': toneWav(1, 600),
  });
  await studio.addFiles([bad]);
  // The good clip, the silent one, the long one (cut) and the lone class's clip are added; the rest are skipped with a reason.
  await expect(studio.summary).toHaveAttribute('data-items', '8', { timeout: 120_000 });
  const warnings = studio.id('audio.warnings');
  await expect(warnings).toContainText('corrupt.wav');
  await expect(warnings).toContainText('empty.wav');
  await expect(warnings).toContainText('picture.wav');
  await expect(warnings).toContainText('quiet.wav');
  await expect(warnings).toContainText('long.wav');
  await expect(warnings).toContainText('mid');

  // A drop with nothing usable is refused in an alert; the 8 clips stay.
  const useless = audioZip('useless.zip', { 'low/x.wav': garbage, 'notes.txt': new TextEncoder().encode('hello') });
  await studio.addFiles([useless]);
  await expect(studio.page.getByRole('alert').filter({ hasText: /clip/i }).first()).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-items', '8');
});

test('the microphone records a clip into a class, and a compressed .webm clip decodes', async ({ studio, page }) => {
  await openAudio(studio, '?backend=wasm&seed=3');
  await studio.addFiles([audioZip('two.zip', { 'low/a.wav': toneWav(1, 220), 'high/b.wav': toneWav(1, 1500) })]);
  await expect(studio.summary).toHaveAttribute('data-items', '2');
  await studio.id('audio.record-class').selectOption('high');
  await studio.id('audio.record').click();
  await expect(studio.id('audio.level')).toBeVisible();
  await studio.page.waitForTimeout(1500);
  await studio.id('audio.record').click();
  await expect(studio.summary).toHaveAttribute('data-items', '3');

  // A WebM/Opus clip made by this browser's own encoder (a tone through MediaRecorder), dropped in a class folder.
  const base64 = await page.evaluate(async () => {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(dest);
    const rec = new MediaRecorder(dest.stream, { mimeType: 'audio/webm' });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const done = new Promise((resolve) => (rec.onstop = resolve));
    osc.start();
    rec.start();
    await new Promise((r) => setTimeout(r, 1200));
    rec.stop();
    await done;
    osc.stop();
    await ctx.close();
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  });
  await studio.addFiles([audioZip('webm.zip', { 'low/tone.webm': new Uint8Array(Buffer.from(base64, 'base64')) })]);
  await expect(studio.summary).toHaveAttribute('data-items', '4', { timeout: 60_000 });
  await expect(studio.id('audio.warnings')).toHaveCount(0);
});
