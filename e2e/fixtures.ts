import { test as base, expect, type ConsoleMessage } from '@playwright/test';
import { StudioPage } from './pages/StudioPage';

/** A Content-Security-Policy violation as Chromium reports it on the console (page or worker). */
export const isCspViolation = (text: string): boolean =>
  /Content Security Policy|Refused to (load|connect|execute|create|compile|frame)/i.test(text);

/** Page objects as fixtures. Every test also fails on a Content-Security-Policy violation. */
export const test = base.extend<{ studio: StudioPage }>({
  studio: async ({ page }, use) => {
    const errors: string[] = [];
    const violations: string[] = [];
    const onConsole = (msg: ConsoleMessage) => {
      if (isCspViolation(msg.text())) violations.push(msg.text());
      else if (msg.type() === 'error') errors.push(msg.text());
    };
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', onConsole);
    page.on('worker', (worker) => worker.on('console', onConsole));
    await use(new StudioPage(page));
    if (errors.length) console.warn(`page errors:\n${errors.join('\n')}`);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  },
});

export { expect } from '@playwright/test';
