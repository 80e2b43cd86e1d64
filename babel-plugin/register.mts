// `node --import raceway/register app.mjs`: Node 20's module hooks instrument ES modules as they
// load; CommonJS files required along the way go through the `-r` hook, installed here too.
import { createRequire, register } from 'node:module';

const require = createRequire(import.meta.url);
require('./register.js');
register('./register-hooks.mjs', import.meta.url);
