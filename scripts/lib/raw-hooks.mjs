// Node module hooks: `import text from './file?raw'` gives the file's text, as Vite does (for scripts
// run with tsx that import studio modules using ?raw). Registered by ./raw-loader.mjs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, next) {
  if (!specifier.endsWith('?raw')) return next(specifier, context);
  const url = new URL(specifier.slice(0, -'?raw'.length), context.parentURL);
  const text = readFileSync(fileURLToPath(url), 'utf8');
  return { url: `data:text/javascript,${encodeURIComponent(`export default ${JSON.stringify(text)};`)}`, shortCircuit: true };
}
