// bootstrap() under `kubeop manifests`: with the capture function set it hands over its handler classes and runs nothing.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { bootstrap, ResourceHandler } from '@kubeop/core';
import { BOOTSTRAP_CAPTURE_KEY, CustomResource, OnAdded } from '@kubeop/decorators';

@CustomResource({ group: 'capture.kubeop.dev', version: 'v1', plural: 'things', kind: 'Thing' })
class ThingHandler extends ResourceHandler {
  @OnAdded() async added(): Promise<void> {}
}

const global = globalThis as Record<symbol, unknown>;
afterEach(() => {
  delete global[BOOTSTRAP_CAPTURE_KEY];
  jest.restoreAllMocks();
});

describe('bootstrap() while kubeop manifests loads the entry script', () => {
  it('hands its handler classes to the capture function and returns without parsing argv or exiting', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const captured: unknown[][] = [];
    global[BOOTSTRAP_CAPTURE_KEY] = (handlers: unknown[]) => captured.push(handlers);
    await bootstrap(ThingHandler);
    await bootstrap({ handlers: [ThingHandler], name: 'thing-operator' });
    expect(captured).toEqual([[ThingHandler], [ThingHandler]]);
    expect(exit).not.toHaveBeenCalled();
  });
});
