// An access-control proxy accepts requests before the start-up callback that loads its templates
// has run, so an early request builds its policy request from `roleTemplate === null`.
// Reduced from fiware-pep-steelskin: the server starts listening first and loads
// the templates in the listen callback; a request arriving in between fails.
// Repository: https://github.com/telefonicaid/fiware-pep-steelskin
// Issue: https://github.com/telefonicaid/fiware-pep-steelskin/issues/477
// Fix: https://github.com/telefonicaid/fiware-pep-steelskin/commit/6e02ef3d97eefa39ab45584c37755a2b00a72ca9
import { EventEmitter } from 'node:events';

let requestTemplate: string | null = null;
let roleTemplate: string | null = null;

/** Reads the templates (stands for reading the template files from disk). */
function loadTemplates(done: () => void): void {
  setTimeout(() => {
    requestTemplate = 'subject={{subject}} action={{action}} roles=[{{roles}}]';
    roleTemplate = 'role:{{role}}';
    done();
  }, 100);
}

function accessRequest(subject: string, action: string, roles: string[]): string {
  const roleList = roles.map((role) => roleTemplate!.replace('{{role}}', role)).join(',');
  return requestTemplate!.replace('{{subject}}', subject).replace('{{action}}', action).replace('{{roles}}', roleList);
}

interface Request { user: string; action: string; roles: string[] }
type Respond = (status: number, body: string) => void;

/** A stand-in for http.Server: 'listening' once bound, then every request goes to the handler. */
class ProxyServer extends EventEmitter {
  listen(callback: () => void): void {
    setImmediate(() => {
      callback();
      this.emit('listening');
    });
  }
  receive(req: Request, respond: Respond): void {
    setImmediate(() => this.emit('request', req, respond));
  }
}

const server = new ProxyServer();
server.on('request', (req: Request, respond: Respond) => {
  try {
    respond(200, accessRequest(req.user, req.action, req.roles));
  } catch (err) {
    respond(500, `policy request failed: ${(err as Error).constructor.name}`);
  }
});

function start(done: () => void): void {
  server.listen(() => loadTemplates(done));
}

const responses: string[] = [];
function send(req: Request, then: () => void): void {
  server.receive(req, (status, body) => {
    responses.push(`${req.user} ${req.action}: ${status} ${body}`);
    then();
  });
}

start(() => responses.push('proxy started'));
// A client sends a request as soon as the proxy listens, and another one 60 ms after the answer.
server.once('listening', () => send({ user: 'alice', action: 'read', roles: ['admin'] }, () => {
  setTimeout(() => send({ user: 'bob', action: 'write', roles: ['dev', 'ops'] }, report), 60);
}));

function report(): void {
  for (const line of responses) console.log(line);
  const failed = responses.filter((r) => / 500 /.test(r)).length;
  if (failed) {
    console.log(`BUG: ${failed} request(s) were served before the templates were loaded`);
    process.exitCode = 1;
  } else {
    console.log('OK: every request was served with the templates loaded');
  }
}
