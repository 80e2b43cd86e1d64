/** Store + analyzer: runs the analysis over stored accesses and caches it until the next ingest. */
import { describe, detectRaces, sortReports, toGlobalDetail, type AnalyzerOptions, type GlobalRaceDetail, type RaceReport } from './analyzer';
import type { Store } from './store';

export interface GlobalAnalysis {
  total_traces: number;
  total_events: number;
  concurrent_events: number;
  potential_races: number;
  anomalies: string[];
  race_details: GlobalRaceDetail[];
}

export interface AnalysisResult {
  version: number;
  reports: RaceReport[];
  /** Wall time of the analysis run, milliseconds. */
  elapsed_ms: number;
  accesses: number;
}

export class Engine {
  private cache: AnalysisResult | null = null;

  constructor(readonly store: Store, private readonly options: AnalyzerOptions = {}) {}

  /** Race reports over everything stored; recomputed only when events were ingested since. */
  analyze(): AnalysisResult {
    if (this.cache && this.cache.version === this.store.version) return this.cache;
    const started = performance.now();
    const version = this.store.version;
    const context = this.store.context();
    let accesses = 0;
    const store = this.store;
    const groups = (function* () {
      for (const g of store.accessesByVariable()) {
        accesses += g.length;
        yield g;
      }
    })();
    const findings = detectRaces(groups, context, this.options);
    const details = this.store.details(findings.flatMap((f) => f.seqs));
    const reports: RaceReport[] = [];
    for (const f of findings) {
      const r = describe(f, (s) => details.get(s));
      if (r) reports.push(r);
    }
    this.cache = { version, reports: sortReports(reports), elapsed_ms: performance.now() - started, accesses };
    return this.cache;
  }

  /** Races that involve one trace. */
  racesOfTrace(traceId: string): RaceReport[] {
    return this.analyze().reports.filter((r) => r.trace_ids.includes(traceId));
  }

  /** Upstream's `GET /api/analyze/global` body. */
  global(maxDetails = 100): GlobalAnalysis {
    const { reports } = this.analyze();
    const details = reports.slice(0, maxDetails).map(toGlobalDetail);
    const anomalies: string[] = [];
    if (reports.length) {
      anomalies.push(`Found ${reports.length} race${reports.length === 1 ? '' : 's'} across all traces`);
      if (reports.length > details.length) anomalies.push(`Showing first ${details.length} races (${reports.length} total)`);
    }
    return {
      total_traces: this.store.traceCount(),
      total_events: this.store.events,
      concurrent_events: reports.length,
      potential_races: reports.length,
      anomalies,
      race_details: details,
    };
  }
}
