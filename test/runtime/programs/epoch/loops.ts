// Loops that read the same fields and bindings again and again in one job, around a lost update
// and unordered writes.
const box = { limit: 5, total: 1, name: 'box' };
let shared = 10;

async function work(id: number): Promise<void> {
  let seen = 0;
  for (let i = 0; i < 50; i++) if (box.limit > 3 && box.name.length > 0) seen += shared;
  const before = box.total;
  await new Promise((r) => setTimeout(r, 30 * id));
  for (let i = 0; i < 20; i++) seen += box.limit;
  box.total = before + seen + id;
  shared = id;
}

Promise.all([work(1), work(2)]).then(() => console.log(box.total, shared));
