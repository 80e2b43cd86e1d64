// Preloaded (node --require) to stand for a machine where neither SQLite driver can be loaded.
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'node:sqlite' || request === 'better-sqlite3') {
    const err = new Error(`Cannot find module '${request}'`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return load.call(this, request, ...rest);
};
