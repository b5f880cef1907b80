// Finds free TCP ports on 127.0.0.1 by letting the kernel pick them.
import { createServer, type Server } from 'node:net';

// Ports handed out by this process; a just-closed port can be picked again before its first taker binds it.
const handedOut = new Set<number>();

/** Returns `count` distinct ports that were free a moment ago (another process may still take one before it is bound). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = createServer();
      servers.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
      });
      if (handedOut.has(port)) continue; // keep it open so the kernel offers another one
      handedOut.add(port);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
