// Two clients join a dynamic namespace that does not exist yet; an asynchronous middleware approves
// each of them, and each approval creates the namespace and stores it, the second one replacing the
// first. The first client is left in an orphaned namespace and misses broadcasts. Reduced from
// socket.io issue #4136: the lookup in the namespace map happens before the
// middleware's await, the insert after it.
// Repository: https://github.com/socketio/socket.io
// Issue: https://github.com/socketio/socket.io/issues/4136
// Fix: https://github.com/socketio/socket.io/commit/9d86397243bcbb5775a29d96e5ef03e17148a8e7

class Namespace {
  readonly sockets = new Set<string>();
  constructor(readonly name: string) {}
}

type Middleware = (name: string, next: (allow: boolean) => void) => void;

class Server {
  readonly _nsps = new Map<string, Namespace>();
  created = 0;
  constructor(private readonly middleware: Middleware) {}

  /** A client connects to `name`: an existing namespace, or a dynamic one the middleware approves. */
  connect(clientId: string, name: string): void {
    const existing = this._nsps.get(name);
    if (existing) {
      existing.sockets.add(clientId);
      return;
    }
    this.checkNamespace(name, (nsp) => nsp.sockets.add(clientId));
  }

  checkNamespace(name: string, fn: (nsp: Namespace) => void): void {
    this.middleware(name, (allow) => {
      if (!allow) return;
      const namespace = new Namespace(name);
      this.created++;
      this._nsps.set(name, namespace);
      fn(namespace);
    });
  }

  broadcast(name: string): number {
    return this._nsps.get(name)?.sockets.size ?? 0;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The middleware looks the team up before approving (an asynchronous operation).
const io = new Server(async (name, next) => {
  await delay(100);
  next(name.startsWith('/team-'));
});

setImmediate(() => {
  io.connect('alice', '/team-a');
  setTimeout(() => io.connect('bob', '/team-a'), 20);
  setTimeout(report, 300);
});

function report(): void {
  const reached = io.broadcast('/team-a');
  console.log(`namespaces created for /team-a: ${io.created}; a broadcast reaches ${reached} of 2 clients`);
  if (reached !== 2) {
    console.log('BUG: a second namespace instance replaced the first; its client misses broadcasts');
    process.exitCode = 1;
  } else {
    console.log('OK: both clients are in the one namespace');
  }
}
