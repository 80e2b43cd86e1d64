// A keep-alive agent hands out a socket from its free pool that its idle timer has just destroyed.
// Reduced from agentkeepalive issue #23: the idle timeout destroys the socket, but
// the socket leaves the free pool only when its 'close' event arrives, a little later. A request
// that comes in between takes the destroyed socket with shift() and fails with "socket hang up".
// Repository: https://github.com/node-modules/agentkeepalive
// Issue: https://github.com/node-modules/agentkeepalive/issues/23
// Fix: https://github.com/node-modules/agentkeepalive/commit/e6a83a5f747bcf4ea689ea65c9e2fe057a720d50
import { EventEmitter } from 'node:events';

/** A stand-in for net.Socket: destroy() is immediate, 'close' is emitted once teardown is done. */
class PooledSocket extends EventEmitter {
  destroyed = false;
  idleTimer: NodeJS.Timeout | null = null;
  constructor(readonly id: number) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
    setTimeout(() => this.emit('close'), 150);
  }
  send(payload: string, done: (err: Error | null, reply?: string) => void): void {
    setTimeout(() => (this.destroyed ? done(new Error('socket hang up (ECONNRESET)')) : done(null, `${payload} via socket ${this.id}`)), 2);
  }
}

class KeepAliveAgent {
  freeSockets: PooledSocket[] = [];
  created = 0;
  constructor(private readonly freeSocketTimeout: number) {}

  acquire(): PooledSocket {
    const socket = this.freeSockets.shift();
    if (socket) {
      if (socket.idleTimer) clearTimeout(socket.idleTimer);
      socket.idleTimer = null;
      return socket;
    }
    const fresh = new PooledSocket(++this.created);
    fresh.on('close', () => this.removeSocket(fresh));
    return fresh;
  }

  release(socket: PooledSocket): void {
    this.freeSockets.push(socket);
    socket.idleTimer = setTimeout(() => this.onIdleTimeout(socket), this.freeSocketTimeout);
  }

  onIdleTimeout(socket: PooledSocket): void {
    socket.destroy();
    // the socket stays in freeSockets until 'close' arrives
  }

  removeSocket(socket: PooledSocket): void {
    const i = this.freeSockets.indexOf(socket);
    if (i !== -1) this.freeSockets.splice(i, 1);
  }
}

const agent = new KeepAliveAgent(30);
const outcomes: string[] = [];

function request(name: string, then: () => void): void {
  const socket = agent.acquire();
  socket.send(name, (err, reply) => {
    outcomes.push(err ? `${name}: ${err.message}` : `${name}: ${reply}`);
    if (!err) agent.release(socket);
    then();
  });
}

// The second request comes 80 ms after the first one's response: after the idle timeout (30 ms)
// of the first request's socket, before that socket's 'close' (150 ms after the timeout).
setImmediate(() => request('GET /first', () => setTimeout(() => request('GET /second', report), 80)));

function report(): void {
  const failures = outcomes.filter((o) => o.includes('ECONNRESET'));
  for (const line of outcomes) console.log(line);
  if (failures.length) {
    console.log(`BUG: a destroyed socket was reused from the free pool (${failures.length} request failed)`);
    process.exitCode = 1;
  } else {
    console.log('OK: every request got a live socket');
  }
}
