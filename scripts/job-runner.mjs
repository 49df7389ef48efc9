#!/usr/bin/env node
// Runs an exported training job (export.job) the way torchrun runs it on one machine: K processes of
// `python train.py`, each with the variables torchrun sets (MASTER_ADDR, MASTER_PORT, RANK,
// LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE), two or more ranks talking over gloo on loopback. For the
// tests, and for machines whose torchrun does not start (Debian's wrapper fails on Python 3.11 with
// torch 1.13). No network.
//
//   node scripts/job-runner.mjs JOB.zip|JOB_DIR --out OUT [--procs K] [--epochs N]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

/** Debian's python3, which has torch when python3-torch is installed (.ci/run installs it). */
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** Unpacks a job zip into a new folder; returns the folder holding train.py (the zip's root or its one top-level folder). */
export function unpackJob(zipBytes, into = mkdtempSync(join(tmpdir(), 'studio-job-'))) {
  const entries = unzipSync(new Uint8Array(zipBytes));
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    const path = join(into, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
  return jobRoot(into);
}

/** The folder holding train.py: `dir` itself or its one sub-folder. */
export function jobRoot(dir) {
  if (existsSync(join(dir, 'train.py'))) return dir;
  const subs = readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory() && existsSync(join(dir, d, 'train.py')));
  if (subs.length !== 1) throw new Error(`no train.py in ${dir} or in one folder inside it`);
  return join(dir, subs[0]);
}

/** A free TCP port on loopback, for MASTER_PORT. */
export function freePort() {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => res(port));
    });
  });
}

/**
 * Runs the job in `root` as `procs` processes writing into `out`; resolves with each rank's exit code
 * and output once all have ended. `args`: more arguments for train.py (e.g. ['--epochs', '3']).
 */
export async function runJob(root, out, { procs = 1, args = [], timeoutMs = 10 * 60_000 } = {}) {
  const port = procs > 1 ? await freePort() : 0;
  const ranks = Array.from({ length: procs }, (_, rank) => {
    const env = { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' };
    if (procs > 1) {
      Object.assign(env, {
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
        RANK: String(rank),
        LOCAL_RANK: String(rank),
        WORLD_SIZE: String(procs),
        LOCAL_WORLD_SIZE: String(procs),
      });
    }
    const child = spawn(PYTHON, ['train.py', '--out', out, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    return new Promise((res) =>
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        res({ rank, code: code ?? (signal ? 128 : 1), output });
      }),
    );
  });
  return Promise.all(ranks);
}

/** OUT/metrics.jsonl as objects. */
export function readMetrics(out) {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

async function main(argv) {
  const [source, ...rest] = argv;
  const flag = (name, fallback) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : fallback;
  };
  const out = flag('--out');
  if (!source || !out) {
    console.error('usage: node scripts/job-runner.mjs JOB.zip|JOB_DIR --out OUT [--procs K] [--epochs N]');
    process.exit(2);
  }
  const root = statSync(source).isDirectory() ? jobRoot(resolve(source)) : unpackJob(readFileSync(source));
  const epochs = flag('--epochs');
  const results = await runJob(root, resolve(out), { procs: Number(flag('--procs', '1')), args: epochs ? ['--epochs', epochs] : [] });
  for (const r of results) process.stdout.write(`--- rank ${r.rank} (exit ${r.code})\n${r.output}`);
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
