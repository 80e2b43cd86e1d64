// Preloaded (`node -r measure.cjs <cli> ...`) into a tsc-like CLI (tsc, tspc): writes the process's
// CPU time on exit to $BENCH_CPU_OUT, so the benchmark compares CPU time, which other load on a
// shared machine disturbs far less than wall-clock time.
const fs = require('node:fs');
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  if (process.env.BENCH_CPU_OUT) fs.writeFileSync(process.env.BENCH_CPU_OUT, JSON.stringify({ cpu_ms: (user + system) / 1000 }));
});
