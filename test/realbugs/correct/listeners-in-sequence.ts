// Correct code, false-positive pattern "callbacks that code outside the program calls one after the
// other": an EventEmitter (node:events, not compiled with the program) calls its listeners in the
// order they were added, each after the previous one returned, and a timer fires the emit itself.
// The first listener resets the status, the second one sets it from what the first computed;
// there is one order only. (Test runners call before/after hooks the same way.) Nothing here may
// be reported.
import { EventEmitter } from 'node:events';

const status = { phase: 'idle', total: 0 };
const bus = new EventEmitter();

bus.on('tick', (n: number) => {
  status.phase = 'counting';
  status.total = 0;
  for (let i = 1; i <= n; i++) status.total += i;
});
bus.on('tick', () => {
  status.phase = status.total > 5 ? 'done' : 'short';
});

setTimeout(bus.emit.bind(bus, 'tick', 4), 5);
setTimeout(() => console.log(`phase ${status.phase}, total ${status.total}`), 30);
