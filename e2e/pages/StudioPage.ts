import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';

/** The studio, driven through its data-testid handles (see CONTRACT.md). */
export class StudioPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async open(query = ''): Promise<void> {
    await this.page.goto(`./${query}`);
    await expect(this.page.getByRole('heading', { name: /Data/ })).toBeVisible();
  }

  get summary(): Locator {
    return this.id('dataset.summary');
  }

  get status(): Locator {
    return this.id('train.status');
  }

  async waitForModel(): Promise<void> {
    await expect(this.id('freeze.trainable-params')).toBeVisible({ timeout: 120_000 });
  }

  /**
   * The runs of a sweep's trials as the runs view lists them (tagged rows), once `count` are listed and
   * the trials that were not stopped early show `fullEpochs` (the view refreshes from storage a moment after the sweep ends).
   */
  async sweepTrialRuns(count: number, fullEpochs: number) {
    const rows = this.id('runs.compare').locator('[data-testid="runs.row"]:not([data-sweep-trial=""])');
    await expect(rows).toHaveCount(count, { timeout: 30_000 });
    await expect(rows.and(this.page.locator('[data-stopped-early="false"]')).first()).toHaveAttribute('data-epochs', String(fullEpochs));
    return rows.evaluateAll((els) =>
      els.map((e) => ({
        trial: Number(e.getAttribute('data-sweep-trial')),
        stoppedEarly: e.getAttribute('data-stopped-early') === 'true',
        epochs: Number(e.getAttribute('data-epochs')),
        final: Number(e.querySelector('[data-testid="runs.cell.final"]')?.getAttribute('data-value')),
        lr: Number(e.querySelector('[data-testid="runs.cell.learningRate"]')?.getAttribute('data-value')),
        id: e.getAttribute('data-run') ?? '',
      })),
    );
  }

  /** How many of the stored sweep's trials wait for their next rung (the autosave writes behind the runs' own writes). */
  async storedWaitingTrials(): Promise<number> {
    return this.page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open('finetune-studio');
          open.onsuccess = () => {
            const all = open.result.transaction('projects').objectStore('projects').getAll();
            all.onsuccess = () => {
              const list = (all.result as { sweep?: { list?: { state: string }[] } }[]).flatMap((p) => p.sweep?.list ?? []);
              resolve(list.filter((t) => t.state === 'waiting').length);
              open.result.close();
            };
          };
          open.onerror = () => resolve(0);
        }),
    );
  }

  /** Opens the studio on WASM with `seed`, chooses text classification and loads the spam/ham sample. */
  async openSpamSample(seed: number): Promise<void> {
    await this.open(`?backend=wasm&seed=${seed}`);
    await this.id('task.text-classification').click();
    await expect(this.id('task.text-classification')).toHaveAttribute('aria-checked', 'true');
    await this.waitForModel();
    await this.loadSample();
    await expect(this.summary).toHaveAttribute('data-classes', '2');
  }

  async loadSample(): Promise<void> {
    await this.id('dataset.sample').click();
    await expect(this.summary).not.toHaveAttribute('data-images', '0', { timeout: 60_000 });
  }

  async addFiles(paths: string[]): Promise<void> {
    await this.id('dataset.file-input').setInputFiles(paths);
  }

  async setNumber(testId: string, value: string | number): Promise<void> {
    await this.id(testId).fill(String(value));
  }

  async setImageSize(size: number): Promise<void> {
    await this.id('hp.image-size').selectOption(String(size));
  }

  async headOnly(): Promise<void> {
    await this.id('freeze.preset.head-only').click();
  }

  async startTraining(): Promise<void> {
    await expect(this.id('train.start')).toBeEnabled({ timeout: 120_000 });
    await this.id('train.start').click();
  }

  /**
   * Opens the studio on `backend`, loads the sample, and starts a head-only run at 96 px with batch
   * size 1 (many short batches); resolves once `minEpochs` epochs are done.
   */
  async startLongRun(query: string, backend: string, epochs: number, minEpochs = 2): Promise<{ images: string }> {
    await this.open(query);
    await expect(this.id('train.backend')).toHaveAttribute('data-value', backend, { timeout: 120_000 });
    await this.waitForModel();
    await this.loadSample();
    const images = (await this.summary.getAttribute('data-images')) ?? '';
    await this.setImageSize(96);
    await this.headOnly();
    await this.setNumber('hp.epochs', epochs);
    await this.setNumber('hp.batch-size', 1);
    await this.startTraining();
    await expect
      .poll(async () => Number(await this.id('metrics.epoch').getAttribute('data-value')), { timeout: 240_000 })
      .toBeGreaterThanOrEqual(minEpochs);
    // Epochs can outrun the autosave: reload only once the run and a checkpoint of it are stored
    // (the runs view lists what storage holds, after the queued writes).
    await expect(this.id('runs.compare').getByTestId('runs.row').first()).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
    await expect.poll(() => this.savedCheckpointEpochs(), { timeout: 60_000 }).toContainEqual(expect.any(Number));
    return { images };
  }

  /** Epochs of the checkpoints the studio has saved in IndexedDB (one per run, the latest). */
  savedCheckpointEpochs(): Promise<number[]> {
    return this.page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const open = indexedDB.open('finetune-studio');
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('checkpoints')) return resolve([]);
            const all = db.transaction('checkpoints').objectStore('checkpoints').getAll();
            all.onsuccess = () => resolve((all.result as { epoch: number }[]).map((c) => c.epoch));
            all.onerror = () => resolve([]);
          };
          open.onerror = () => resolve([]);
        }),
    );
  }

  async waitForState(state: string, timeout = 8 * 60_000): Promise<void> {
    await expect(this.status).toHaveAttribute('data-state', state, { timeout });
  }

  /** Opens a collapsible settings section (`optimisation`, `regularisation`, `schedule`, `stopping`, `augmentation`). */
  async openSection(name: string): Promise<void> {
    const section = this.id(`hp.section.${name}`);
    if ((await section.getAttribute('open')) === null) await section.locator('summary').click();
    await expect(section).toHaveAttribute('open', '');
  }

  async select(testId: string, value: string): Promise<void> {
    await this.id(testId).selectOption(value);
  }

  /** Moves a range input (Playwright cannot `fill` one): sets the value the way a drag does. */
  async setRange(testId: string, value: number): Promise<void> {
    await this.id(testId).evaluate((el, v) => {
      const input = el as HTMLInputElement;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
      setter?.call(input, String(v));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }

  async trainableParams(): Promise<number> {
    return Number(await this.id('freeze.trainable-params').getAttribute('data-value'));
  }

  /** Names of the backbone layers in a block, from the layer table's checkboxes. */
  async layersOfBlock(block: string): Promise<string[]> {
    const ids = await this.page
      .locator(`[data-testid^="freeze.layer."]`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    return ids.map((t) => t.slice('freeze.layer.'.length)).filter((n) => n.startsWith(`${block}_`));
  }

  /** Clicks Export (`export.tfjs`, or the button given) and returns the downloaded zip's files. */
  async exportZip(button = 'export.tfjs'): Promise<Record<string, Uint8Array>> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.id(button).click()]);
    const path = await download.path();
    return unzipSync(new Uint8Array(readFileSync(path)));
  }

  /** The confusion matrix's cells as {row, col, n} (rows: true class, columns: predicted). */
  async confusionCells(): Promise<{ row: number; col: number; n: number }[]> {
    return this.page.locator('[data-testid^="eval.cell."]').evaluateAll((els) =>
      els.map((e) => {
        const [, , row, col] = (e.getAttribute('data-testid') ?? '').split('.');
        return { row: Number(row), col: Number(col), n: Number(e.textContent) };
      }),
    );
  }

  /** How many pixels of a canvas are not fully transparent, and its size. */
  async canvasInk(canvas: Locator): Promise<{ width: number; height: number; painted: number }> {
    return canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
      return { width: c.width, height: c.height, painted };
    });
  }

  /** Pastes an image file (fetched from the studio's own origin) as Ctrl+V would. */
  async pasteImage(url: string, name: string, type = 'image/png'): Promise<void> {
    await this.page.evaluate(
      async ({ url, name, type }) => {
        const blob = await (await fetch(url)).blob();
        const dt = new DataTransfer();
        dt.items.add(new File([blob], name, { type }));
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
      },
      { url, name, type },
    );
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
  }
}
