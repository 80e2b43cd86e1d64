// A guard read again and again before an await (check-then-act), a poll that reads a counter until
// it changes, and a job that fails right after repeated reads.
const state = { count: 1, max: 3, step: 7, label: 'ready' };

async function take(id: number): Promise<string> {
  let ok = false;
  for (let i = 0; i < 20; i++) ok = state.count < state.max && state.label.length > 0;
  if (!ok) return 'full';
  await new Promise((r) => setTimeout(r, 30 * id));
  state.count++;
  return 'took';
}

async function reset(): Promise<void> {
  await new Promise((r) => setTimeout(r, 45));
  state.count = 9;
}

function fail(): void {
  let n = 0;
  for (let i = 0; i < 10; i++) n += state.step;
  if (n > 0) throw new Error('failed after ' + n);
}

async function main(): Promise<void> {
  console.log(await Promise.all([take(1), take(2), reset()]));
  try { fail(); } catch (e) { console.log((e as Error).message); }
  let polls = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 5; i++) if (state.step === 7) polls++;
    if (++ticks === 5) state.step = 8;
    if (ticks === 10) { clearInterval(timer); console.log('polls', polls); }
  }, 1);
}

main();
