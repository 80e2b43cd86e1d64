// Fixed version of bug.ts (nes issue #142): the client keeps its reconnect timer
// and clears it when it connects or disconnects, so a stale timer never fires.
// Repository: https://github.com/hapijs/nes
// Issue: https://github.com/hapijs/nes/issues/142
// Fix: https://github.com/hapijs/nes/commit/9ea6a4cd8dc98f8591d833107c7182f1422f9d54
import { EventEmitter } from 'node:events';

const openSockets = new Set<FakeSocket>();

/** A stand-in for a WebSocket: opens shortly after creation; the server can drop it. */
class FakeSocket extends EventEmitter {
  constructor(readonly id: number) {
    super();
    setTimeout(() => {
      openSockets.add(this);
      this.emit('open');
    }, 5);
  }
  close(): void {
    openSockets.delete(this);
    setImmediate(() => this.emit('close'));
  }
}

interface Reconnection { wait: number; delay: number; maxDelay: number; auth: string }

class Client {
  _ws: FakeSocket | null = null;
  _reconnection: Reconnection | null = null;
  _reconnectionTimer: NodeJS.Timeout | null = null;
  sockets = 0;

  connect(options: { auth: string; delay: number }): void {
    this._reconnection = { wait: 0, delay: options.delay, maxDelay: 1000, auth: options.auth };
    this._connect(options.auth);
  }

  _connect(auth: string): void {
    if (this._reconnectionTimer) clearTimeout(this._reconnectionTimer);
    this._reconnectionTimer = null;
    const ws = new FakeSocket(++this.sockets);
    this._ws = ws;
    ws.once('open', () => log.push(`socket ${ws.id} connected (${auth})`));
    ws.once('close', () => this._onClose(ws));
  }

  _onClose(ws: FakeSocket): void {
    if (this._ws !== ws) return;
    this._ws = null;
    if (this._reconnection) this._reconnect();
  }

  _reconnect(): void {
    this._reconnection!.wait = this._reconnection!.wait + this._reconnection!.delay;
    const timeout = Math.min(this._reconnection!.wait, this._reconnection!.maxDelay);
    this._reconnectionTimer = setTimeout(() => {
      this._connect(this._reconnection!.auth);
    }, timeout);
  }

  disconnect(): void {
    this._reconnection = null;
    if (this._reconnectionTimer) clearTimeout(this._reconnectionTimer);
    this._reconnectionTimer = null;
    if (this._ws) {
      const ws = this._ws;
      this._ws = null;
      ws.close();
    }
  }
}

const log: string[] = [];
const client = new Client();
// 20 ms after the start the server drops the connection; 25 ms later, while the client waits 150 ms
// to reconnect, the application starts a new session itself.
setImmediate(() => {
  client.connect({ auth: 'token-1', delay: 150 });
  setTimeout(() => {
    log.push('server dropped the connection');
    const ws = client._ws!;
    openSockets.delete(ws);
    ws.emit('close');
    setTimeout(() => {
      log.push('application disconnects and connects again');
      client.disconnect();
      client.connect({ auth: 'token-2', delay: 150 });
      setTimeout(report, 250);
    }, 25);
  }, 20);
});

function report(): void {
  for (const line of log) console.log(line);
  if (openSockets.size > 1) {
    console.log(`BUG: ${openSockets.size} sockets open; the stale reconnect timer connected a second time`);
    process.exitCode = 1;
  } else {
    console.log(`OK: ${openSockets.size} socket open`);
  }
  for (const ws of openSockets) ws.removeAllListeners();
}
