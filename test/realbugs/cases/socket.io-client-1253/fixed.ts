// Fixed version of bug.ts (socket.io-client pull request #1253): a new socket does
// not open the manager while a reconnection is pending; the pending attempt connects it.
// Repository: https://github.com/socketio/socket.io-client
// Issue: https://github.com/socketio/socket.io/issues/3358
// Fix: https://github.com/socketio/socket.io-client/commit/050108b2281effda086b197cf174ee2e8e1aad79
let serverUp = false;

/** A stand-in for the engine transport: the connection attempt succeeds only if the server is up. */
function dial(done: (err: Error | null) => void): void {
  setTimeout(() => done(serverUp ? null : new Error('connect ECONNREFUSED 127.0.0.1:9823')), 10);
}

class Manager {
  readyState: 'closed' | 'opening' | 'open' = 'closed';
  reconnecting = false;
  attempts = 0;
  subs: (() => void)[] = [];

  open(callback?: (err: Error | null) => void): void {
    if (this.readyState !== 'closed') return;
    this.readyState = 'opening';
    this.attempts++;
    dial((err) => {
      this.cleanup();
      if (err) {
        this.readyState = 'closed';
        if (callback) callback(err);
        else this.maybeReconnectOnOpen();
        return;
      }
      this.readyState = 'open';
      this.reconnecting = false;
      log.push(`connected after ${this.attempts} attempt(s)`);
    });
  }

  maybeReconnectOnOpen(): void {
    if (!this.reconnecting) this.reconnect();
  }

  reconnect(): void {
    if (this.attempts >= 6) return;
    this.reconnecting = true;
    const timer = setTimeout(() => {
      log.push('reconnecting');
      this.open((err) => {
        this.reconnecting = false;
        if (err) this.reconnect();
      });
    }, 150);
    this.subs.push(() => clearTimeout(timer));
  }

  cleanup(): void {
    for (const unsubscribe of this.subs.splice(0)) unsubscribe();
  }

  socket(namespace: string): Socket {
    return new Socket(this, namespace);
  }
}

class Socket {
  constructor(readonly io: Manager, readonly namespace: string) {
    this.connect();
  }
  connect(): void {
    if (!this.io.reconnecting) this.io.open(); // ensure open
  }
}

const log: string[] = [];
const manager = new Manager();
// The first socket's attempt fails after 10 ms and a reconnection is due 150 ms later; meanwhile,
// at 60 ms, a second socket is opened. The server is back at 200 ms.
setImmediate(() => {
  manager.socket('/room1');
  setTimeout(() => manager.socket('/room2'), 60);
  setTimeout(() => {
    serverUp = true;
  }, 200);
  setTimeout(report, 600);
});

function report(): void {
  for (const line of log) console.log(line);
  if (manager.readyState !== 'open') {
    console.log(`BUG: the manager gave up after ${manager.attempts} attempts although the server came back`);
    process.exitCode = 1;
  } else {
    console.log('OK: reconnected once the server was back');
  }
}
