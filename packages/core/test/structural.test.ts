// The structural check a schema passes before it is sent (hand-written in the decorator, or generated), and the
// printer-column rules checked at start: each rule names the field it found broken.
import { describe, expect, it } from '@jest/globals';
import { defineResource } from '@kubeop/decorators';
import { InvalidHandlerError, ResourceHandler } from '@kubeop/core';
import { crdManifest, describeHandlerClass, structuralProblems } from '@kubeop/core/tooling';

const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties: { spec: { type: 'object', properties } },
});

describe('structuralProblems', () => {
  it('finds nothing in a structural schema, x-kubernetes-* keys and junctors of plain constraints included', () => {
    expect(
      structuralProblems(
        object({
          size: {
            type: 'integer',
            minimum: 0,
            exclusiveMaximum: true,
            maximum: 10,
            'x-kubernetes-validations': [{ rule: 'self > 0' }],
          },
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          maybe: { type: 'string', nullable: true },
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['a root that is no object', { type: 'string' }, '(root): type must be "object", not "string"'],
    ['$ref', object({ a: { $ref: '#/definitions/A' } }), '.spec.a: $ref is not allowed: inline the referenced schema'],
    ['definitions', { ...object({}), definitions: {} }, '(root): definitions is not allowed'],
    ['const', object({ a: { type: 'string', const: 'x' } }), '.spec.a: const is not allowed: use enum with one value'],
    [
      'a type array',
      object({ a: { type: ['string', 'null'] } }),
      '.spec.a: type ["string","null"] must be one of object, array, string, integer, number, boolean',
    ],
    ['a node without a type', object({ a: { description: 'untyped' } }), '.spec.a: every field needs a type'],
    [
      'a numeric exclusive bound',
      object({ a: { type: 'number', exclusiveMinimum: 0 } }),
      '.spec.a: exclusiveMinimum must be a boolean beside minimum',
    ],
    [
      'additionalProperties: false',
      object({ a: { type: 'object', additionalProperties: false } }),
      '.spec.a: additionalProperties: false is not allowed',
    ],
    [
      'additionalProperties beside properties',
      object({
        a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: { type: 'string' } },
      }),
      '.spec.a: additionalProperties and properties cannot be used together',
    ],
    [
      'uniqueItems',
      object({ a: { type: 'array', items: { type: 'string' }, uniqueItems: true } }),
      '.spec.a: uniqueItems: true is not allowed: use x-kubernetes-list-type: set',
    ],
    ['a tuple', object({ a: { type: 'array', items: [{ type: 'string' }] } }), '.spec.a: items must be one schema'],
    [
      'a keyword CRDs do not know',
      object({ a: { type: 'string', examples: ['x'] } }),
      '.spec.a: examples is not a CRD schema keyword',
    ],
    [
      'a problem deep in items and maps',
      object({
        a: {
          type: 'object',
          additionalProperties: { type: 'array', items: { type: 'object', properties: { b: { const: 1 } } } },
        },
      }),
      '.spec.a[*][].b: const is not allowed',
    ],
  ])('names %s', (_, schema, problem) => {
    expect(structuralProblems(schema).join('\n')).toContain(problem);
  });
});

describe('printer columns', () => {
  const handler = (columns: unknown) => {
    class Handler extends ResourceHandler {
      async handle(): Promise<void> {}
    }
    defineResource(Handler, {
      resource: { group: 'x.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing', columns } as never,
      onReconcile: 'handle',
    });
    return Handler;
  };

  it('default to State and Age, and reach the CRD as additionalPrinterColumns', () => {
    const resource = describeHandlerClass(handler(undefined)).resource;
    const version = (crdManifest(resource) as { spec: { versions: Array<Record<string, unknown>> } }).spec.versions[0]!;
    expect(version.additionalPrinterColumns).toEqual([
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
  });

  it.each([
    ['no name', [{ type: 'string', jsonPath: '.spec.a' }], 'columns[0].name is missing'],
    [
      'a path without its dot',
      [{ name: 'A', type: 'string', jsonPath: 'spec.a' }],
      'columns[0].jsonPath "spec.a" is invalid (a path such as .spec.replicas)',
    ],
    [
      'an unknown type',
      [{ name: 'A', type: 'text', jsonPath: '.spec.a' }],
      'columns[0].type "text" is invalid (string, integer, number, boolean, date)',
    ],
    [
      'a negative priority',
      [{ name: 'A', type: 'string', jsonPath: '.spec.a', priority: -1 }],
      'columns[0].priority "-1" is invalid (a whole number >= 0)',
    ],
  ])('refuse %s at start, naming the column', (_, columns, message) => {
    expect(() => describeHandlerClass(handler(columns))).toThrow(InvalidHandlerError);
    expect(() => describeHandlerClass(handler(columns))).toThrow(message);
  });
});
