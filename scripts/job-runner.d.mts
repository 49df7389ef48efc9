/** Types of the training-job runner (scripts/job-runner.mjs). */
export const PYTHON: string;
export function unpackJob(zipBytes: Uint8Array | Buffer, into?: string): string;
export function jobRoot(dir: string): string;
export function freePort(): Promise<number>;
export interface RankResult {
  rank: number;
  code: number;
  output: string;
}
export function runJob(root: string, out: string, opts?: { procs?: number; args?: string[]; timeoutMs?: number }): Promise<RankResult[]>;
export function readMetrics(out: string): Record<string, number | null>[];
