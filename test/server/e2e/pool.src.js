// A free-socket pool shared by concurrent requests (the shape of a destroyed socket handed out of
// an agent's free list): a request checks that the pool has a socket, awaits, then takes one with
// `shift()`. In POOL_FIXED mode the check and the take run in one synchronous step.
const { init } = require('raceway');

const raceway = init({ serviceName: 'pool', environment: 'test', flushInterval: 50, handleExit: false });
const agent = { freeSockets: { 'localhost:80': [] } };
const fixed = process.env.POOL_FIXED === '1';
const tick = () => new Promise((resolve) => setImmediate(resolve));

function release(socket) {
  agent.freeSockets['localhost:80'].push(socket);
}

async function request() {
  const pool = agent.freeSockets['localhost:80'];
  if (fixed) {
    const socket = pool.length > 0 ? pool.shift() : null;
    await tick();
    return socket ? socket.id : 'new';
  }
  if (pool.length > 0) {
    await tick(); // the connection's I/O between the check and the take
    const socket = pool.shift();
    return socket ? socket.id : 'none: the pool was emptied meanwhile';
  }
  return 'new';
}

async function main() {
  release({ id: 1 });
  const got = await Promise.all([request(), request()]);
  await raceway.shutdown();
  process.stdout.write(JSON.stringify({ got, stats: raceway.stats() }));
}
main();
