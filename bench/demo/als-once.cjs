// Preload for bench/demo's `plain-als` variant: switches an AsyncLocalStorage on and off once at
// startup, as the first recorded request of an instrumented app does. On Node 20 that installs V8
// promise hooks, and V8's promise-hook protector, once invalidated, stays invalidated: promise code
// optimized afterwards takes the slower paths for the rest of the process, even with the hooks gone.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');
const als = new AsyncLocalStorage();
als.enterWith({});
Promise.resolve().then(() => als.disable());
