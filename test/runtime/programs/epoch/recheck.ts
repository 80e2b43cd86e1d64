// Reads whose number and order decide a report: a guard checked twice right before the act (two
// reads in the job of the write excuse a check-then-act, one does not), and a read of a reset value
// followed by repeated reads of another field before the job fails (the job failed right after
// the reset read only if no other state access came between).
const state: { count: number; max: number; size: number; conn: { send(): void } | null } = {
  count: 1, max: 5, size: 3, conn: { send() {} },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function take(): Promise<void> {
  if (state.count < state.max) {
    await sleep(10);
    let ok = false;
    for (let i = 0; i < 2; i++) ok = state.count < state.max;
    const next = 4;
    if (ok) state.count = next;
  }
}

async function blindReset(): Promise<void> {
  await sleep(3);
  state.count = 2;
}

function sendOnce(): number {
  let c: { send(): void } | null = null;
  let n = 0;
  for (let i = 0; i < 4; i++) {
    if (i === 3) c = state.conn;
    n += state.size;
  }
  c!.send();
  return n;
}

async function sendAll(): Promise<void> {
  await sleep(10);
  try {
    sendOnce();
  } catch (e) {
    console.log('send failed');
  }
}

async function disconnect(): Promise<void> {
  await sleep(3);
  state.conn = null;
}

Promise.all([take(), blindReset(), sendAll(), disconnect()]).then(() => console.log(state.count));
