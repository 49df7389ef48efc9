import { test as base } from '@playwright/test';
import { StudioPage } from './pages/StudioPage';

/** Page objects as fixtures. */
export const test = base.extend<{ studio: StudioPage }>({
  studio: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await use(new StudioPage(page));
    if (errors.length) console.warn(`page errors:\n${errors.join('\n')}`);
  },
});

export { expect } from '@playwright/test';
