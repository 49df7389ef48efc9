/**
 * Installing Debian packages for `npm test`'s own needs (a Chromium, Python with torch), only where it
 * can: as root, with apt-get, unless STUDIO_BROWSER_INSTALL=never (the tests of these checks).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function canAptInstall() {
  return (
    process.env.STUDIO_BROWSER_INSTALL !== 'never' &&
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    existsSync('/usr/bin/apt-get')
  );
}

/** `apt-get update` then `apt-get install` of `packages`; returns the failing command's words, or null. */
export function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) return `apt-get ${args.join(' ')} failed.`;
  }
  return null;
}
