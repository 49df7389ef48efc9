import { expect, type Locator, type Page } from '@playwright/test';

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

  async waitForState(state: string, timeout = 8 * 60_000): Promise<void> {
    await expect(this.status).toHaveAttribute('data-state', state, { timeout });
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
  }
}
