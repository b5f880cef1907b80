import { describe, expect, it } from '@jest/globals';
import { siteConditions } from '../src/site-conditions.js';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:05:00Z');

describe('siteConditions', () => {
  it('says Unknown until the Deployment controller has observed the current generation', () => {
    const stale = { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True' }] };
    expect(siteConditions(stale, 2, [], now).map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'Unknown', 'DeploymentNotObserved'],
      ['Progressing', 'Unknown', 'DeploymentNotObserved'],
    ]);
    expect(siteConditions(undefined, 1, [], now)[0]!.status).toBe('Unknown');
  });

  it("copies the Deployment's conditions and moves the transition time only when the status changes", () => {
    const deployment = {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'progressing' },
      ],
    };
    const first = siteConditions(deployment, 3, [], now);
    expect(first[0]).toEqual({
      type: 'Available',
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
      lastTransitionTime: now.toISOString(),
    });
    const same = siteConditions(deployment, 3, first, later);
    expect(same[0]!.lastTransitionTime).toBe(now.toISOString());
    const available = {
      ...deployment,
      conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
    };
    expect(siteConditions(available, 3, first, later)[0]).toMatchObject({
      status: 'True',
      lastTransitionTime: later.toISOString(),
    });
  });
});
