// ES module loader hooks (run in Node's loader thread): instrument `format: "module"` sources.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const core: typeof import('./register-core.js') = require('./register-core.js');

interface LoadResult { format?: string | null; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || !url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  if (!core.shouldInstrument(filename)) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  return { ...result, source: core.compile(source, filename, 'module'), shortCircuit: true };
}
