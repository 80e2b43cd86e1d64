// ES module loader hooks (run in Node's loader thread): instrument `format: "module"` sources, and
// TypeScript modules Node strips natively (`node --import raceway/register app.ts`).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const core: typeof import('./register-core.js') = require('./register-core.js');

interface LoadResult { format?: string | null; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

/** Formats Node gives TypeScript files it strips itself (22.18+, 24), and the format they run as. */
const STRIPPED: Record<string, 'module' | 'commonjs'> = { 'module-typescript': 'module', 'commonjs-typescript': 'commonjs' };

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  const format = result.format === 'module' ? 'module' : STRIPPED[result.format ?? ''];
  if (!format || !url.startsWith('file:') || result.source == null) return result;
  const filename = fileURLToPath(url);
  if (!core.shouldInstrument(filename)) return result;
  let source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  if (result.format !== 'module') {
    // TypeScript: strip the types as Node would, then instrument the JavaScript that remains.
    const strip = core.typeStripper();
    if (!strip) return result;
    source = strip(source, filename);
  }
  return { ...result, format, source: core.compile(source, filename, format), shortCircuit: true };
}
