// Fixed version of bug.ts (nes issue #18): the reconnect timer checks that the
// client still wants to reconnect before reading the reconnection settings.
// Repository: https://github.com/hapijs/nes
// Issue: https://github.com/hapijs/nes/issues/18
// Fix: https://github.com/hapijs/nes/commit/16503c46e679cf8ebb7895cd8ee5443eb125905c
import { EventEmitter } from 'node:events';

/** A stand-in for a WebSocket: opens shortly after creation; the server can drop it. */
class FakeSocket extends EventEmitter {
  open = false;
  constructor() {
    super();
    setTimeout(() => {
      this.open = true;
      this.emit('open');
    }, 5);
  }
  close(): void {
    this.open = false;
    setImmediate(() => this.emit('close'));
  }
}

interface Reconnection { wait: number; delay: number; maxDelay: number; auth: string }

class Client {
  _ws: FakeSocket | null = null;
  _reconnection: Reconnection | null = null;
  connects = 0;

  connect(options: { auth: string; delay: number }, callback: () => void): void {
    this._reconnection = { wait: 0, delay: options.delay, maxDelay: 1000, auth: options.auth };
    this._connect(options.auth, callback);
  }

  _connect(auth: string, callback: () => void): void {
    const ws = new FakeSocket();
    this._ws = ws;
    ws.once('open', () => {
      this.connects++;
      log.push(`connected (${auth})`);
      callback();
    });
    ws.once('close', () => this._onClose(ws));
  }

  _onClose(ws: FakeSocket): void {
    if (this._ws === ws) this._ws = null;
    if (this._reconnection) this._reconnect();
  }

  _reconnect(): void {
    const self = this;
    self._reconnection!.wait = self._reconnection!.wait + self._reconnection!.delay;
    const timeout = Math.min(self._reconnection!.wait, self._reconnection!.maxDelay);
    setTimeout(function () {
      if (!self._reconnection) {
        return;
      }
      self._connect(self._reconnection!.auth, () => log.push('reconnected'));
    }, timeout);
  }

  disconnect(): void {
    this._reconnection = null;
    if (this._ws) this._ws.close();
  }
}

const log: string[] = [];
process.on('uncaughtException', (err) => {
  log.push(`uncaught ${err.name} in the reconnect timer`);
});

const client = new Client();
// Once connected, the server drops the connection 15 ms later; 25 ms after that, while the client
// waits 150 ms to reconnect, the application disconnects.
setImmediate(() => client.connect({ auth: 'token-1', delay: 150 }, () => setTimeout(() => {
  log.push('server dropped the connection');
  client._ws!.close();
  setTimeout(() => {
    log.push('application disconnects');
    client.disconnect();
    setTimeout(report, 250);
  }, 25);
}, 15)));

function report(): void {
  for (const line of log) console.log(line);
  if (log.some((l) => l.startsWith('uncaught'))) {
    console.log('BUG: the reconnect timer ran after disconnect() and threw');
    process.exitCode = 1;
  } else {
    console.log(`OK: no reconnection after disconnect() (${client.connects} connection)`);
  }
}
