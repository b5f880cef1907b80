// The kubeop side of bench/footprint.js: an operator whose one handler sets status.state on every object without
// one, the same work as the client-go loop (bench/go), run with the flags `kubeop manifests` gives the Deployment.
// SIGUSR2 prints the heap after a collection (with --expose-gc) and the counters the bench reads.
import { ResourceHandler } from '@kubeop/core';
import { prepareOperator } from '@kubeop/core/tooling';
import { defineResource } from '@kubeop/decorators';

class BenchObjectHandler extends ResourceHandler {
  async created() {
    this.status = { state: 'created' };
  }
}
defineResource(BenchObjectHandler, {
  resource: { group: 'example.kubeop.dev', version: 'v1alpha1', plural: 'testobjects', kind: 'TestObject' },
  onAdded: 'created',
});

const prepared = prepareOperator({ handlers: [BenchObjectHandler], name: 'footprint-bench' });
if (prepared.kind === 'exit') throw new Error(prepared.output);
const operator = prepared.operator;
await operator.start();
await operator.synced();
const [{ watcher }] = operator.controllerStats;
console.log(`synced ${watcher.events} objects`);

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const [{ handlers }] = operator.controllerStats;
  console.log(
    `probe heap=${process.memoryUsage().heapUsed} handled=${handlers.handled} writes=${handlers.handled - handlers.failed} ` +
      `running=${handlers.running}`,
  );
});
const stop = () => void operator.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
