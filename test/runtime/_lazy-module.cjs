// A module as a front end emits it (SPEC §2, written by hand), required lazily by
// lazy-module.test.mjs while a recorded request is running.
'use strict';
const rw = require('raceway/runtime');

const table = ['test/runtime/_lazy-module.cjs', 'test/runtime/_lazy-module', [7, 'touch', 0, 'obj'], [8, 'obj']];
function token() { return JSON.stringify(table); }
rw.mod(token);

function touch(obj) {
  const f = rw.enter(token, 0, obj);
  try {
    rw.wp(f, obj, 'n', obj.n + 1, 1);
  } finally {
    rw.exit(f);
  }
}

module.exports = { touch };
