// Preloaded (`node -r measure.cjs <cli> ...`) into a tsc-like CLI (tsc, tspc): writes the process's
// CPU time on exit to $BENCH_CPU_OUT, so the benchmark compares CPU time, which other load on a
// shared machine disturbs far less than wall-clock time. Also records the garbage collector's
// share (v8.GCProfiler: collections by kind and their main-thread time; the collector's helper
// threads are in the CPU time but not in these), the heap after the last full collection and
// the peak resident set, page faults and context switches.
const fs = require('node:fs');
const v8 = require('node:v8');
const profiler = v8.GCProfiler ? new v8.GCProfiler() : null;
profiler?.start();
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  const ru = process.resourceUsage();
  const gc = {};
  let liveMb = 0;
  for (const e of profiler?.stop()?.statistics ?? []) {
    const k = (gc[e.gcType] ??= { n: 0, ms: 0 });
    k.n++;
    k.ms += e.cost / 1000;
    if (e.gcType === 'MarkSweepCompact') liveMb = Math.max(liveMb, e.afterGC.heapStatistics.usedHeapSize / 2 ** 20);
  }
  for (const k of Object.values(gc)) k.ms = Math.round(k.ms);
  if (process.env.BENCH_CPU_OUT) {
    fs.writeFileSync(process.env.BENCH_CPU_OUT, JSON.stringify({
      cpu_ms: (user + system) / 1000, user_ms: user / 1000, system_ms: system / 1000,
      gc, max_live_heap_mb: Math.round(liveMb), max_rss_mb: Math.round(ru.maxRSS / 1024), minor_faults: ru.minorPageFault, major_faults: ru.majorPageFault,
      voluntary_switches: ru.voluntaryContextSwitches, involuntary_switches: ru.involuntaryContextSwitches,
    }));
  }
});
