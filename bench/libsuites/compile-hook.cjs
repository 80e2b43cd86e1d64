// For suites that compile their sources with their own require hook (async: Babel 6's
// babel-register turns lib/'s ES modules into CommonJS): instruments the CommonJS such a hook hands
// to Module#_compile, with the same options, filter and cache as `raceway/register`. Only files of
// the project (RACEWAY_ROOT, else the working directory) outside node_modules are considered, and
// nothing that loads while a file is being instrumented (Babel itself).
'use strict';
const Module = require('node:module');
const { resolve, sep } = require('node:path');
const core = require('../../dist/babel-plugin/register-core.js');

const root = resolve(process.env.RACEWAY_ROOT || process.cwd()) + sep;
// Load Babel 7, the plugin and the runtime now, before the suite's own hook is installed:
// babel-register would otherwise try to compile them (with Babel 6) when they are first required.
try {
  for (const m of ['plugin', 'instrument', 'scopes', 'options']) require(`../../dist/babel-plugin/${m}.js`);
  require('../../dist/runtime/index.js');
  require('../../dist/runtime/instrument.js');
} catch (err) {
  process.emitWarning(`raceway: could not load the Babel front end: ${err.message}`);
}
const original = Module.prototype._compile;
let busy = false;

Module.prototype._compile = function racewayAfterTranspile(content, filename) {
  let code = content;
  if (!busy && typeof content === 'string' && filename.startsWith(root) && !filename.includes(`${sep}node_modules${sep}`)) {
    busy = true;
    try {
      if (core.shouldInstrument(filename)) code = core.compile(content, filename, 'commonjs');
    } catch (err) {
      process.emitWarning(`raceway: could not instrument ${filename}: ${err.message}`);
    } finally {
      busy = false;
    }
  }
  return original.call(this, code, filename);
};
