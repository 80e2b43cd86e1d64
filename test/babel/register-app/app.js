const lib = require('./lib.cjs');
let hits = 0;
function handle(n) { hits += n; return lib.bump(n); }
console.log(handle(2), handle(3), hits, lib.state.n);
if (process.argv[2] === 'ret') return;
console.log('end');
