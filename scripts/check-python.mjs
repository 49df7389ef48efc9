#!/usr/bin/env node
/**
 * Second step of `npm test`: the independent references and the training jobs run Debian's Python
 * with torch, numpy and Pillow (scripts/hf_reference.py, src/job/train.py). Found: prints which.
 * Missing: as root with apt-get, installs python3-torch, python3-pil and libopenblas0-pthread (without
 * it torch falls back to the reference BLAS, about 30× slower); otherwise stops at once with the one
 * command that fixes it. `PYTHON` names another interpreter; STUDIO_BROWSER_INSTALL=never skips the install.
 */
import { spawnSync } from 'node:child_process';
import { aptInstall, canAptInstall } from './lib/apt.mjs';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const PACKAGES = ['python3-torch', 'python3-pil', 'libopenblas0-pthread'];
const FIX = `No Python with torch, numpy and Pillow at ${PYTHON} for the reference and training-job tests: run \`sudo apt-get install -y ${PACKAGES.join(' ')}\` (or set PYTHON to an interpreter that has them), then \`npm test\` again.`;

function versions() {
  const r = spawnSync(
    PYTHON,
    [
      '-c',
      'import torch, numpy, PIL, sys; print(f"torch {torch.__version__}, numpy {numpy.__version__}, Pillow {PIL.__version__}, Python {sys.version.split()[0]}")',
    ],
    {
      encoding: 'utf8',
    },
  );
  return r.status === 0 ? r.stdout.trim() : null;
}

let found = versions();
if (!found) {
  if (!canAptInstall()) {
    console.error(FIX);
    process.exit(1);
  }
  console.log(`check-python: installing Debian's ${PACKAGES.join(', ')} with apt-get`);
  const failed = aptInstall(PACKAGES);
  found = failed ? null : versions();
  if (!found) {
    console.error(`${failed ?? `apt-get installed ${PACKAGES.join(' ')}, but ${PYTHON} still cannot import them.`} ${FIX}`);
    process.exit(1);
  }
}
console.log(`check-python: ${PYTHON} (${found})`);
