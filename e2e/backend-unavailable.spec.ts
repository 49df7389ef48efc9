import { test, expect } from './fixtures';
import { CHROMIUM_ARGS } from '../playwright.config';

// A real browser condition: this Chromium runs with WebGPU switched off, so navigator.gpu is missing
// in the page and in workers. Asking for it must give an alert, never a silent fallback.
test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'), '--disable-blink-features=WebGPU'],
  },
});

test('a forced backend that cannot start shows an alert and does not claim it', async ({ studio, page }) => {
  await studio.open('?backend=webgpu');
  const alert = page.getByRole('alert').filter({ hasText: /webgpu/i });
  await expect(alert).toBeVisible({ timeout: 120_000 });
  await expect(studio.id('train.backend')).not.toHaveAttribute('data-value', 'webgpu');
  await expect(studio.status).toHaveAttribute('data-state', 'error');
  await expect(studio.id('train.start')).toBeDisabled();
  await studio.screenshot('5-backend-alert');
});
