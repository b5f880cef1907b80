// Conversion as a pure function: ConversionReview in, converted objects (or one failure naming the converter) out.
import { describe, expect, it } from '@jest/globals';
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import {
  CONVERSION_DATA_ANNOTATION,
  ConversionReviewError,
  convertReview,
  describeHandlerClass,
} from '@kubeop/core/tooling';

interface SpecV2 {
  name: { first: string; last: string };
  color?: string;
}
interface SpecV1 {
  fullName: string;
}
interface SpecV1beta1 {
  first: string;
  last: string;
  colour?: string;
}

const group = 'example.kubeop.dev';
const seen: unknown[] = [];

@CustomResource({ group, version: 'v2', plural: 'widgets', kind: 'Widget' })
class WidgetHandler extends ResourceHandler<SpecV2> {
  @OnReconcile() reconcile(): void {}

  @ConvertFrom('v1') fromV1(old: CustomObject<SpecV1>): CustomObject<SpecV2> {
    seen.push(old.metadata.annotations);
    if (old.spec?.fullName === 'boom') throw new Error('cannot split boom');
    // A value with no string form (String() of it throws), as a careless converter may throw.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (old.spec?.fullName === 'odd') throw Object.assign(Object.create(null) as object, { why: 'odd' });
    const [first = '', ...rest] = (old.spec?.fullName ?? '').split(' ');
    return { ...old, spec: { name: { first, last: rest.join(' ') } } };
  }
  @ConvertTo('v1') toV1(obj: CustomObject<SpecV2>): CustomObject<SpecV1> {
    seen.push(obj.metadata.annotations);
    const { first, last } = obj.spec!.name;
    return { ...obj, metadata: { ...obj.metadata, name: 'renamed' }, spec: { fullName: `${first} ${last}`.trim() } };
  }
  @ConvertFrom('v1beta1') fromBeta(old: CustomObject<SpecV1beta1>): CustomObject<SpecV2> {
    const { first, last, colour } = old.spec!;
    return { ...old, spec: { name: { first, last }, ...(colour ? { color: colour } : {}) } };
  }
  @ConvertTo('v1beta1') toBeta(obj: CustomObject<SpecV2>): CustomObject<SpecV1beta1> {
    const { name, color } = obj.spec!;
    const labels = { ...obj.metadata.labels, 'example.kubeop.dev/seen-as': 'v1beta1' };
    return {
      ...obj,
      metadata: { ...obj.metadata, labels },
      spec: { ...name, ...(color ? { colour: color } : {}) },
    };
  }
}

const description = describeHandlerClass(WidgetHandler);

const meta = { name: 'w1', namespace: 'ns', uid: 'u-1', resourceVersion: '7', labels: { app: 'web' } };
const v2 = (spec: SpecV2, metadata: CustomObject['metadata'] = meta): CustomObject<SpecV2> => ({
  apiVersion: `${group}/v2`,
  kind: 'Widget',
  metadata,
  spec,
  status: { state: 'ready' },
});

function convert(objects: CustomObject<unknown>[], version: string) {
  const review = convertReview(
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'req-1', desiredAPIVersion: `${group}/${version}`, objects },
    },
    description,
  );
  expect(review.response?.uid).toBe('req-1');
  return review.response!;
}

function converted(objects: CustomObject<unknown>[], version: string): CustomObject[] {
  const response = convert(objects, version);
  expect(response.result).toEqual({ status: 'Success' });
  return response.convertedObjects as CustomObject[];
}

describe('convertReview', () => {
  it('converts the storage version down by @ConvertTo: apiVersion set, metadata kept but for labels and annotations', () => {
    const [v1] = converted([v2({ name: { first: 'Ada', last: 'Lovelace' } })], 'v1');
    expect(v1).toEqual({
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: meta, // the converter's new name is not taken: the API server allows only labels and annotations to change
      spec: { fullName: 'Ada Lovelace' },
      status: { state: 'ready' },
    });
  });

  it('converts up by @ConvertFrom', () => {
    const old = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: meta,
      spec: { fullName: 'Grace Brewster Hopper' },
    };
    expect(converted([old], 'v2')).toEqual([
      { ...old, apiVersion: `${group}/v2`, spec: { name: { first: 'Grace', last: 'Brewster Hopper' } } },
    ]);
  });

  it('converts between two other versions through the storage version, labels a converter set kept', () => {
    const old = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: meta, spec: { fullName: 'Alan Turing' } };
    const [beta] = converted([old], 'v1beta1');
    expect(beta).toEqual({
      apiVersion: `${group}/v1beta1`,
      kind: 'Widget',
      metadata: { ...meta, labels: { app: 'web', 'example.kubeop.dev/seen-as': 'v1beta1' } },
      spec: { first: 'Alan', last: 'Turing' },
    });
  });

  it('passes an object already at the desired version through as it is', () => {
    const object = v2({ name: { first: 'a', last: 'b' } });
    expect(converted([object], 'v2')).toEqual([object]);
  });

  it('fails the whole request when a converter throws, naming the converter and the object', () => {
    const good = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: meta, spec: { fullName: 'x y' } };
    const bad = { ...good, metadata: { ...meta, name: 'w2' }, spec: { fullName: 'boom' } };
    const response = convert([good, bad], 'v2');
    expect(response.convertedObjects).toEqual([]);
    expect(response.result).toEqual({
      status: 'Failure',
      message: "WidgetHandler.fromV1 (@ConvertFrom('v1')) failed on Widget ns/w2: cannot split boom",
    });
  });

  it('names what a converter threw when it is no Error and has no string form', () => {
    const odd = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: meta, spec: { fullName: 'odd' } };
    expect(convert([odd], 'v2').result).toEqual({
      status: 'Failure',
      message: `WidgetHandler.fromV1 (@ConvertFrom('v1')) failed on Widget ns/${meta.name}: {"why":"odd"}`,
    });
  });

  it('fails a request for a version the class does not declare, or another group', () => {
    const object = v2({ name: { first: 'a', last: 'b' } });
    expect(convert([object], 'v3').result).toMatchObject({
      status: 'Failure',
      message: expect.stringContaining('v3 is not a version WidgetHandler declares'),
    });
    const other = convertReview(
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: { uid: 'u', desiredAPIVersion: 'other.dev/v1', objects: [object] },
      },
      description,
    );
    expect(other.response?.result.status).toBe('Failure');
  });

  it('refuses a body that is not a ConversionReview v1 request', () => {
    expect(() => convertReview({ kind: 'AdmissionReview' }, description)).toThrow(ConversionReviewError);
    expect(() =>
      convertReview({ apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'ConversionReview' }, description),
    ).toThrow(/conversionReviewVersions: \[v1\]/);
    expect(() =>
      convertReview({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' }, description),
    ).toThrow(/no request/);
  });
});

describe('round-trip preservation', () => {
  it('stashes what the other version cannot hold and restores it; the converters never see the stash', () => {
    const hub = v2({ name: { first: 'Ada', last: 'Lovelace' }, color: 'blue' });
    const [v1] = converted([hub], 'v1');
    expect(v1!.metadata.annotations?.[CONVERSION_DATA_ANNOTATION]).toEqual(expect.any(String));
    seen.length = 0;
    const [back] = converted([v1!], 'v2');
    expect(back).toEqual(hub);
    expect(seen).toEqual([undefined]); // the stash was taken off before fromV1 saw the object
  });

  it('stashes nothing when the round trip loses nothing', () => {
    const [v1] = converted([v2({ name: { first: 'Ada', last: 'Lovelace' } })], 'v1');
    expect(v1!.metadata.annotations).toBeUndefined();
  });

  it('lets a change made through the other version win over the stash, keeping the fields it cannot hold', () => {
    const hub = v2({ name: { first: 'Ada', last: 'Lovelace' }, color: 'blue' });
    const [v1] = converted([hub], 'v1');
    const edited = { ...v1!, spec: { fullName: 'Ada King' } };
    const [back] = converted([edited], 'v2');
    expect(back!.spec).toEqual({ name: { first: 'Ada', last: 'King' }, color: 'blue' });
  });

  it('keeps the stash across a conversion between two other versions', () => {
    const hub = v2({ name: { first: 'Ada', last: 'Lovelace' }, color: 'blue' });
    const [v1] = converted([hub], 'v1');
    const [beta] = converted([v1!], 'v1beta1');
    expect(beta!.spec).toEqual({ first: 'Ada', last: 'Lovelace', colour: 'blue' });
    expect(beta!.metadata.annotations).toBeUndefined(); // v1beta1 holds all of it
  });

  it('ignores a stash a user mangled by hand', () => {
    const old = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { ...meta, annotations: { [CONVERSION_DATA_ANNOTATION]: '{not json', keep: 'me' } },
      spec: { fullName: 'a b' },
    };
    const [back] = converted([old], 'v2');
    expect(back!.spec).toEqual({ name: { first: 'a', last: 'b' } });
    expect(back!.metadata.annotations).toEqual({ keep: 'me' });
  });
});
