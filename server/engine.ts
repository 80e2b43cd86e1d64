/** Upstream-shaped views over the store's (incrementally maintained) race analysis. */
import { toGlobalDetail, type GlobalRaceDetail, type RaceReport } from './analyzer';
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
  reports: RaceReport[];
  /** Wall time of the last call, milliseconds (near zero when nothing changed). */
  elapsed_ms: number;
  accesses: number;
}

export class Engine {
  constructor(readonly store: Store) {}

  /** The analysis in one go (blocks the thread for as long as it takes: for CLIs and tests). */
  analyze(): AnalysisResult {
    const started = performance.now();
    const reports = this.store.analyze();
    return { reports, elapsed_ms: performance.now() - started, accesses: this.store.index.accessCount };
  }

  /**
   * The analysis in slices that let the event loop run between them (see LiveIndex.analyzeSliced):
   * what the HTTP server uses, so ingest and `/health` go on during a long analysis.
   */
  async analyzeSliced(): Promise<AnalysisResult> {
    const started = performance.now();
    const reports = await this.store.index.analyzeSliced();
    return { reports, elapsed_ms: performance.now() - started, accesses: this.store.index.accessCount };
  }

  /** Races that involve one trace. */
  async racesOfTrace(traceId: string): Promise<RaceReport[]> {
    return (await this.analyzeSliced()).reports.filter((r) => r.trace_ids.includes(traceId));
  }

  /** Upstream's `GET /api/analyze/global` body. */
  async global(maxDetails = 100): Promise<GlobalAnalysis> {
    const { reports } = await this.analyzeSliced();
    const details = reports.slice(0, maxDetails).map(toGlobalDetail);
    const anomalies: string[] = [];
    if (reports.length) {
      anomalies.push(`Found ${reports.length} race${reports.length === 1 ? '' : 's'} across all traces`);
      if (reports.length > details.length) anomalies.push(`Showing first ${details.length} races (${reports.length} total)`);
      const more = this.store.index.suppressed;
      if (more) anomalies.push(`${more} more races over the per-variable report cap are counted, not listed`);
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
