import { test as base, expect, type ConsoleMessage } from '@playwright/test';
import { StudioPage } from './pages/StudioPage';

/** A Content-Security-Policy violation as Chromium reports it on the console (page or worker). */
export const isCspViolation = (text: string): boolean =>
  /Content Security Policy|Refused to (load|connect|execute|create|compile|frame)/i.test(text);

export interface StudioOptions {
  /**
   * Console errors a test provokes on purpose (a 404 it serves, a file it corrupts), as patterns.
   * Everything else logged as an error, and every uncaught exception, fails the test.
   */
  expectedConsoleErrors: RegExp[];
}

/**
 * Page objects as fixtures. Every test fails on an uncaught exception in the page or a worker, on a
 * console error it did not declare in `expectedConsoleErrors`, and on a Content-Security-Policy violation.
 */
export const test = base.extend<{ studio: StudioPage } & StudioOptions>({
  expectedConsoleErrors: [[], { option: true }],
  studio: async ({ page, expectedConsoleErrors }, use) => {
    const errors: string[] = [];
    const violations: string[] = [];
    const onConsole = (where: string) => (msg: ConsoleMessage) => {
      const text = msg.text();
      if (isCspViolation(text)) violations.push(text);
      else if (msg.type() === 'error' && !expectedConsoleErrors.some((p) => p.test(text))) errors.push(`${where} console.error: ${text}`);
    };
    page.on('pageerror', (err) => errors.push(`page exception: ${err.message}`));
    page.on('console', onConsole('page'));
    page.on('worker', (worker) => worker.on('console', onConsole('worker')));
    await use(new StudioPage(page));
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
    expect(errors, 'errors in the page or its workers').toEqual([]);
  },
});

export { expect } from '@playwright/test';
