export interface FoundChromium {
  path: string;
  from: 'CHROMIUM_PATH' | 'system' | 'playwright';
  missing: boolean;
}
export function findChromium(env?: NodeJS.ProcessEnv): FoundChromium | null;
export function chromiumPath(): string;
export const CHROMIUM_FLAGS: readonly string[];
