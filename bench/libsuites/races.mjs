// Counts of a GET /api/races answer: total, by kind, by variable (most reported first).

/** @param {{ total_races: number, suppressed_races: number, races: { kind: string, variable: string }[] }} data */
export function summarizeRaces(data) {
  const byKind = {};
  const vars = new Map();
  for (const r of data.races) {
    byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    let v = vars.get(r.variable);
    if (!v) vars.set(r.variable, (v = { variable: r.variable, count: 0, byKind: {} }));
    v.count++;
    v.byKind[r.kind] = (v.byKind[r.kind] ?? 0) + 1;
  }
  const byVariable = [...vars.values()].sort((a, b) => b.count - a.count || a.variable.localeCompare(b.variable));
  return { total: data.total_races, listed: data.races.length, suppressed: data.suppressed_races, byKind, byVariable };
}
