import { createServer } from 'node:net';

/**
 * A TCP port that is free right now on every interface, for a process the test starts next: a service,
 * or a broker that must advertise the port its clients reach. Another process could take it in between;
 * tests start what needs it at once.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
