import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(process.cwd(), 'scripts/check-python.mjs');

describe('npm test without Python and torch', () => {
  it('stops at once with one sentence that names the fix', () => {
    const r = spawnSync(process.execPath, [script], {
      env: { ...process.env, PYTHON: '/nonexistent/python3', STUDIO_BROWSER_INSTALL: 'never' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    const said = r.stderr.trim();
    expect(said.split('\n')).toHaveLength(1);
    expect(said).toMatch(/apt-get install -y python3-torch python3-pil libopenblas0-pthread/);
    expect(r.stdout).toBe('');
  });

  it('says which interpreter and versions the tests will use', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/check-python: .*\(torch [\d.]+.*numpy [\d.]+, Pillow [\d.]+, Python 3\./);
  });
});
