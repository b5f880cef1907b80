// AdmissionReview handling: parsing (what is refused with 400), the answer's shape, and one method call's outcome.
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { CustomResource, OnMutate, OnValidate } from '@kubeop/decorators';
import { type AdmissionRequest, Denied } from '../src/admission.js';
import type { OperatorArgs } from '../src/cli.js';
import { describeHandlerClass } from '../src/explorer.js';
import type { ObjectClient } from '../src/kube/object-client.js';
import { createRootLogger } from '../src/logging.js';
import { invokeWebhook, methodDeadlineMs } from '../src/internal/webhook/invoke.js';
import { BadReviewError, parseReview, reviewResponse } from '../src/internal/webhook/review.js';
import { webhookEndpoints } from '../src/internal/webhook/webhooks.js';

const resource = { group: 'example.kubeop.dev', version: 'v1', plural: 'widgets', kind: 'Widget' };
const seen: AdmissionRequest[] = [];

@CustomResource(resource)
class Widgets {
  declare args: OperatorArgs;
  @OnValidate({ operations: ['CREATE', 'UPDATE', 'DELETE'] })
  check(object: { spec: { size: number } }, request: AdmissionRequest): void {
    seen.push(request);
    request.warn('size is large');
    if (object.spec.size % 2) throw new Denied('spec.size must be even', { field: 'spec.size' });
    if (object.spec.size === 4) throw new Error('boom');
  }
  @OnMutate({ timeout: 1 })
  async defaults(object: { spec: Record<string, unknown> }): Promise<void> {
    if (object.spec.size === 6) await new Promise(() => undefined); // never answers
    object.spec.color ??= 'blue';
  }
}

const [validate, mutate] = webhookEndpoints([describeHandlerClass(Widgets)]);
const logger = createRootLogger({
  level: 'error',
  format: 'json',
  stream: new Writable({ write: (_c, _e, done) => done() }),
});
const deps = { client: {} as ObjectClient, logger, args: {} as OperatorArgs };

function review(request: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u1',
      kind: { group: resource.group, version: 'v1', kind: 'Widget' },
      resource: { group: resource.group, version: 'v1', resource: 'widgets' },
      name: 'w',
      namespace: 'ns',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object: { spec: { size: 2 } },
      oldObject: null,
      dryRun: false,
      ...request,
    },
  });
}

describe('webhook endpoints', () => {
  it('have a path and a configuration name per method', () => {
    expect([validate!.path, validate!.name, validate!.handler]).toEqual([
      '/validate/example.kubeop.dev/v1/widgets/check',
      'check.widgets.example.kubeop.dev',
      'Widgets.check',
    ]);
    expect(mutate!.path).toBe('/mutate/example.kubeop.dev/v1/widgets/defaults');
  });
});

describe('parseReview', () => {
  it('reads an AdmissionReview v1 request', () => {
    expect(parseReview(review({}), validate!)).toMatchObject({ uid: 'u1', operation: 'CREATE', name: 'w' });
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['another kind', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap' }), 'expected kind AdmissionReview'],
    ['no uid', review({ uid: '' }), 'no uid'],
    ['another resource', review({ resource: { group: '', version: 'v1', resource: 'pods' } }), 'is for pods in v1'],
    ['no object', review({ object: null }), 'has no object'],
  ])('refuses %s with a BadReviewError', (_, body, message) => {
    expect(() => parseReview(body, validate!)).toThrow(BadReviewError);
    expect(() => parseReview(body, validate!)).toThrow(message);
  });
});

describe('invokeWebhook and reviewResponse', () => {
  it('allows with the warnings, passing the request', async () => {
    seen.length = 0;
    const decision = await invokeWebhook(validate!, parseReview(review({ dryRun: true }), validate!), deps);
    expect(decision).toEqual({ allowed: true, patch: [], warnings: ['size is large'] });
    expect(seen[0]).toMatchObject({
      operation: 'CREATE',
      dryRun: true,
      userInfo: { username: 'alice' },
      oldObject: undefined,
    });
    expect(reviewResponse('u1', decision)).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: true, warnings: ['size is large'] },
    });
  });

  it('denies with Denied’s message, field and code', async () => {
    const decision = await invokeWebhook(
      validate!,
      parseReview(review({ object: { spec: { size: 3 } } }), validate!),
      deps,
    );
    expect(decision).toMatchObject({
      allowed: false,
      code: 403,
      message: 'spec.size must be even',
      field: 'spec.size',
    });
    expect(reviewResponse('u1', decision).response).toMatchObject({
      allowed: false,
      status: { code: 403, reason: 'Forbidden', details: { causes: [{ field: 'spec.size' }] } },
    });
  });

  it('passes the old object as the object of a DELETE', async () => {
    seen.length = 0;
    const body = review({ operation: 'DELETE', object: null, oldObject: { spec: { size: 8 } } });
    expect(await invokeWebhook(validate!, parseReview(body, validate!), deps)).toMatchObject({ allowed: true });
    expect(seen[0]!.oldObject).toEqual({ spec: { size: 8 } });
  });

  it('denies another error with a message naming the method', async () => {
    const decision = await invokeWebhook(
      validate!,
      parseReview(review({ object: { spec: { size: 4 } } }), validate!),
      deps,
    );
    expect(decision).toMatchObject({ allowed: false, code: 500, message: 'Widgets.check failed: boom' });
  });

  it('answers a mutation with the JSON patch of what the method changed', async () => {
    const decision = await invokeWebhook(mutate!, parseReview(review({}), mutate!), deps);
    expect(decision).toEqual({
      allowed: true,
      patch: [{ op: 'add', path: '/spec/color', value: 'blue' }],
      warnings: [],
    });
    const response = reviewResponse('u1', decision).response as { patch: string; patchType: string };
    expect(response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(response.patch, 'base64').toString())).toEqual(decision.allowed && decision.patch);
  });

  it('denies a method past its deadline, which is under the configuration timeout', async () => {
    expect(methodDeadlineMs(10)).toBe(9000);
    expect(methodDeadlineMs(1)).toBe(500);
    const decision = await invokeWebhook(
      mutate!,
      parseReview(review({ object: { spec: { size: 6 } } }), mutate!),
      deps,
    );
    expect(decision).toMatchObject({ allowed: false, message: 'Widgets.defaults did not answer within 0.5 s' });
  });
});
