#!/usr/bin/env node
/**
 * First step of `npm test`: makes sure the end-to-end tests have a Chromium before anything else runs.
 * Found: prints where. Missing: as root with apt-get, installs Debian's `chromium`; otherwise stops at
 * once with the one command that fixes it. `STUDIO_BROWSER_INSTALL=never` skips the install (tests).
 */
import { findChromium } from './browser.mjs';
import { aptInstall, canAptInstall } from './lib/apt.mjs';

const FIX =
  'No Chromium for the end-to-end tests: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium or Chrome binary), then `npm test` again.';

function report(found) {
  console.log(`check-browser: end-to-end tests use ${found.path} (${found.from})`);
}

let found = findChromium();
if (found?.missing) {
  console.error(
    `CHROMIUM_PATH is ${found.path}, which is not an executable file: point it at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium.`,
  );
  process.exit(1);
}
if (found) {
  report(found);
  process.exit(0);
}
if (!canAptInstall()) {
  console.error(FIX);
  process.exit(1);
}
console.log("check-browser: no Chromium found; installing Debian's chromium with apt-get");
const failed = aptInstall(['chromium']);
if (failed) {
  console.error(`${failed} ${FIX}`);
  process.exit(1);
}
found = findChromium();
if (!found || found.missing) {
  console.error(`apt-get installed chromium, but no browser was found at /usr/bin/chromium. ${FIX}`);
  process.exit(1);
}
report(found);
