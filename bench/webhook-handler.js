// The handler class of bench/webhook.js, without decorators (plain JS): a validation and a default, both cheap.
import { defineResource } from '@kubeop/decorators';
import { Denied } from '@kubeop/core';

export class Gauges {
  check(gauge) {
    if (gauge.spec?.size < 0) throw new Denied('spec.size must not be negative', { field: 'spec.size' });
  }
  defaults(gauge) {
    gauge.spec = { unit: 'mm', ...gauge.spec };
  }
}

defineResource(Gauges, {
  resource: { group: 'bench.kubeop.dev', version: 'v1', plural: 'gauges', kind: 'Gauge' },
  validate: { check: {} },
  mutate: { defaults: {} },
});
