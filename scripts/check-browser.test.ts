import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(process.cwd(), 'scripts/check-browser.mjs');

function run(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CHROMIUM_PATH'));
  return spawnSync(process.execPath, [script], { env: { ...clean, ...env }, encoding: 'utf8' });
}

describe('npm test without a browser', () => {
  it('stops at once with one sentence that names the fix', () => {
    const r = run({ STUDIO_BROWSER_SEARCH: '/nonexistent/chromium', STUDIO_BROWSER_INSTALL: 'never' });
    expect(r.status).toBe(1);
    const said = r.stderr.trim();
    expect(said.split('\n')).toHaveLength(1);
    expect(said).toMatch(/apt-get install -y chromium/);
    expect(said).toMatch(/CHROMIUM_PATH/);
    expect(r.stdout).toBe('');
  });

  it('says so when CHROMIUM_PATH points at nothing', () => {
    const r = run({ CHROMIUM_PATH: '/nonexistent/chrome' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/CHROMIUM_PATH is \/nonexistent\/chrome, which is not an executable file/);
  });

  it('finds a browser given by CHROMIUM_PATH', () => {
    // Any executable stands in for the browser: the check only finds it.
    const r = run({ CHROMIUM_PATH: process.execPath });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`use ${process.execPath} (CHROMIUM_PATH)`);
  });
});
