// `node -r raceway/register app.js`: instruments CommonJS files (.js, .cjs, and .ts/.cts where Node
// strips types natively) as they are required,
// honouring the include/exclude options (see register-core.ts for where options come from).
// `.js` files in a `"type": "module"` package are left to Node's own loader (use
// `node --import raceway/register` for ES modules).
import Module = require('node:module');
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile, registerState, shouldInstrument } from './register-core';
import { isTypeScriptFile, typeStripper } from './register-typescript';

const M = Module as unknown as { _extensions: Record<string, (m: any, filename: string) => void> };
const installed = Symbol.for('raceway.register.cjs');
const typeCache = new Map<string, string>();

/** "module" | "commonjs" for a .js file, from the nearest package.json. */
function packageType(dir: string): string {
  const hit = typeCache.get(dir);
  if (hit) return hit;
  let type = 'commonjs';
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    type = pkg.type === 'module' ? 'module' : 'commonjs';
  } catch {
    const parent = dirname(dir);
    type = parent === dir ? 'commonjs' : packageType(parent);
  }
  typeCache.set(dir, type);
  return type;
}

/**
 * Under `raceway run` (RACEWAY_RUN_DIR set), the process announces itself with an empty file named
 * by its pid: `run` counts processes for its progress line and waits for detached ones to end
 * (and flush) before reporting. One file per process, whatever its threads do.
 */
function announce(): void {
  const dir = process.env.RACEWAY_RUN_DIR;
  if (!dir) return;
  try {
    writeFileSync(join(dir, String(process.pid)), '', { flag: 'a' });
  } catch {
    /* a missing directory only costs the count */
  }
}

export function install(): void {
  const g = globalThis as any;
  if (g[installed]) return;
  g[installed] = true;
  registerState(); // surface option errors at startup
  announce();
  for (const ext of ['.js', '.cjs']) {
    const original = M._extensions[ext] ?? M._extensions['.js']!;
    M._extensions[ext] = function racewayCompile(module: any, filename: string) {
      // `.js` (and `.ts`, which Node hands to this loader) follow the package type; `.cjs`/`.cts` are always CommonJS.
      if (!shouldInstrument(filename) || (/\.[jt]s$/.test(filename) && packageType(dirname(filename)) === 'module')) {
        return original(module, filename);
      }
      let source = readFileSync(filename, 'utf8');
      // Node (22.18+, 24) hands required TypeScript files to the `.js` loader and strips their
      // types itself: strip them first here, or leave the file to Node where it cannot.
      if (isTypeScriptFile(filename)) {
        const strip = typeStripper();
        if (!strip) return original(module, filename);
        source = strip(source, filename);
      }
      module._compile(compile(source, filename, 'commonjs'), filename);
    };
  }
}

install();
