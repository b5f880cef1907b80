// startControlPlane({ apiServerTracing }): kube-apiserver starts with the TracingConfiguration and exports its spans
// by OTLP gRPC to the endpoint (seen here as HTTP/2 connections opening there; the spans themselves are not decoded).
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { type ControlPlane, eventually, startControlPlane } from '@kubeop/testing';
import { apiServerTracingFlags } from '../src/apiserver-tracing.js';

const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
let receiver: Server;
const sockets = new Set<Socket>();
let received = '';
let plane: ControlPlane | undefined;

beforeAll(async () => {
  receiver = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await plane?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('kube-apiserver with its tracing on', () => {
  it('starts, serves, and opens an OTLP gRPC (HTTP/2) connection to the endpoint', async () => {
    const port = (receiver.address() as { port: number }).port;
    plane = await startControlPlane({ apiServerTracing: { endpoint: `127.0.0.1:${port}` } });
    const core = plane.kubeConfig.makeApiClient(CoreV1Api);
    await eventually(
      async () => {
        // Requests keep coming so that there are spans to export.
        await core.listNamespace();
        return received.includes(HTTP2_PREFACE);
      },
      'kube-apiserver to open an HTTP/2 connection to the OTLP endpoint',
      60_000,
    );
    expect(received).toContain(HTTP2_PREFACE);
  });

  it('refuses an endpoint that is no host:port, naming the option', async () => {
    await expect(apiServerTracingFlags('/tmp', { endpoint: 'http://collector:4317' })).rejects.toThrow(
      'apiServerTracing.endpoint must be host:port',
    );
  });
});
