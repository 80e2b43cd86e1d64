// For suites that compile their sources with their own require hook (async: Babel 6's
// babel-register turns lib/'s ES modules into CommonJS): instruments the CommonJS such a hook hands
// to Module#_compile, with the same options, filter and cache as `raceway/register`. Files raceway's
// own hook already instrumented are recognised by the plugin and left as they are.
'use strict';
const Module = require('node:module');
const core = require('../../dist/babel-plugin/register-core.js');

const original = Module.prototype._compile;
Module.prototype._compile = function racewayAfterTranspile(content, filename) {
  let code = content;
  try {
    if (core.shouldInstrument(filename)) code = core.compile(content, filename, 'commonjs');
  } catch (err) {
    process.emitWarning(`raceway: could not instrument ${filename}: ${err.message}`);
  }
  return original.call(this, code, filename);
};
