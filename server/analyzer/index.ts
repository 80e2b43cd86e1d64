/** The race analyzer: events in, race reports out. Pure (no HTTP, no SQL). */
import type { RacewayEvent } from '../../protocol/events';
import { detectRaces } from './detect';
import { prepareEvents } from './prepare';
import { describe } from './report';
import type { AnalyzerOptions, RaceReport } from './types';

export * from './types';
export { detectRaces, scanVariable } from './detect';
export { Ordering, failureReaches } from './order';
export { CoverageTable, hasSeen, type Coverage } from './coverage';
export { prepareEvents, micros, ownComponent, noteContext, noteUnit, unitInfo, kindName, type UnitStats } from './prepare';
export { describe, toGlobalDetail, type GlobalRaceDetail } from './report';
export { causalOrder } from './causal';

const SEVERITY_RANK = { CRITICAL: 0, WARNING: 1 } as const;

/** Orders reports for display: most severe first, then by time of the conflict. */
export function sortReports(reports: RaceReport[]): RaceReport[] {
  return reports.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.second.timestamp < b.second.timestamp ? -1 : a.second.timestamp > b.second.timestamp ? 1 : 0));
}

/** Analyzes a set of events held in memory. */
export function analyzeEvents(events: readonly RacewayEvent[], opts: AnalyzerOptions = {}): RaceReport[] {
  const { byVariable, context, details } = prepareEvents(events);
  const findings = detectRaces(byVariable.values(), context, opts);
  const reports: RaceReport[] = [];
  for (const f of findings) {
    const r = describe(f, (seq) => details.get(seq));
    if (r) reports.push(r);
  }
  return sortReports(reports);
}
