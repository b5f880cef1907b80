// selfManagedCertificates refuses options that would let a certificate expire before every replica has its successor.
import { describe, expect, it } from '@jest/globals';
import type { KubeClient } from '../src/kube/client.js';
import { createRootLogger } from '../src/logging.js';
import {
  type SelfManagedCertificateOptions,
  selfManagedCertificates,
} from '../src/internal/webhook/certificates/index.js';

const base: SelfManagedCertificateOptions = {
  client: {} as KubeClient, // never called: the options are checked when the source is made
  namespace: 'ops',
  secretName: 'op-webhook-certs',
  dnsNames: ['op.ops.svc'],
  logger: createRootLogger({ level: 'error', format: 'text' }),
};

describe('selfManagedCertificates options', () => {
  it('accepts the defaults and short test lifetimes', () => {
    expect(() => selfManagedCertificates(base)).not.toThrow();
    const short = {
      caLifetimeSeconds: 24,
      servingLifetimeSeconds: 9,
      caPropagationSeconds: 3,
      pollIntervalSeconds: 0.5,
    };
    expect(() => selfManagedCertificates({ ...base, ...short })).not.toThrow();
  });

  it.each([
    [{ dnsNames: [], ipAddresses: [] }, /at least one DNS name or IP address/],
    [{ servingLifetimeSeconds: 0 }, /servingLifetimeSeconds must be a positive number of seconds, not 0/],
    [
      { caLifetimeSeconds: 100, servingLifetimeSeconds: 200 },
      /servingLifetimeSeconds \(200\) must not exceed caLifetimeSeconds \(100\)/,
    ],
    [
      { servingLifetimeSeconds: 30, pollIntervalSeconds: 10 },
      /pollIntervalSeconds \(10\) must be below a third of servingLifetimeSeconds \(30\)/,
    ],
    [{ caPropagationSeconds: 5 }, /caPropagationSeconds \(5\) must exceed pollIntervalSeconds \(10\)/],
    [
      { caLifetimeSeconds: 600, servingLifetimeSeconds: 60, pollIntervalSeconds: 1 },
      /stay below a third of caLifetimeSeconds \(600\)/,
    ],
  ])('refuses %j', (options, message) => {
    expect(() => selfManagedCertificates({ ...base, ...options })).toThrow(message);
  });
});
