// Which failures of a list or watch cap the watcher's backoff low (the server comes back on its own, and handling
// should resume soon after): see ResourceWatcher's unavailableCapMs.
import { describe, expect, it } from '@jest/globals';
import { unavailable } from '../src/internal/watch/watcher.js';
import { KubeApiError, KubeConnectionError, KubeTlsError } from '../src/kube/errors.js';

const url = 'https://127.0.0.1:6443/apis/x/v1/things';

describe('a failure that means the API server is unavailable', () => {
  it('is a connection refused, reset or cut, a 503 or a path not served', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', undefined])
      expect(unavailable(new KubeConnectionError('GET', url, code))).toBe(true);
    expect(unavailable(new KubeApiError(503, 'GET', '/apis/x/v1/things', 'ServiceUnavailable', 'starting'))).toBe(true);
    expect(unavailable(new KubeApiError(404, 'GET', '/apis/x/v1/things', 'NotFound', 'not found'))).toBe(true);
    // A watch stream cut while it was read.
    expect(unavailable(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('is not a certificate the CA does not vouch for, a server error or a denial', () => {
    expect(unavailable(new KubeTlsError('GET', url, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe(false);
    expect(unavailable(new KubeApiError(500, 'GET', '/apis/x/v1/things', 'InternalError', 'boom'))).toBe(false);
    expect(unavailable(new KubeApiError(403, 'GET', '/apis/x/v1/things', 'Forbidden', 'no'))).toBe(false);
    expect(unavailable(new Error('anything else'))).toBe(false);
    expect(unavailable(undefined)).toBe(false);
  });
});
