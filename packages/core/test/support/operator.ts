// Runs an operator in the test process against the shared control plane, capturing its log lines.
import { Writable } from 'node:stream';
import { CoreV1Api, type CoreV1Event, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { eventually } from '@kubeop/testing';
import type { CustomResourceRecord, HandlerClass } from '@kubeop/decorators';
import { describeHandlerClass, type Operator, prepareOperator } from '@kubeop/core';
import { KubeClient } from '../../src/kube/client.js';
import { ensureCrd } from '../../src/kube/crd.js';

export interface RunningOperator {
  operator: Operator;
  logs: string[];
  /** Log lines joined, for toContain/toMatch. */
  logText(): string;
  stop(): Promise<boolean>;
}

const running = new Set<RunningOperator>();

export async function runOperator(
  handlers: HandlerClass[],
  options: { kubeconfigPath: string; namespace?: string; argv?: string[]; env?: NodeJS.ProcessEnv; waitSynced?: boolean },
): Promise<RunningOperator> {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  // Servers off unless a test turns them on (':0' picks a free port): operators run side by side here.
  const argv = ['--kubeconfig', options.kubeconfigPath, '--log-format', 'json', '--log-level', 'debug', '--metrics-bind-address', '0', '--health-probe-bind-address', '0'];
  if (options.namespace) argv.push('--namespace', options.namespace);
  const prepared = prepareOperator({ handlers, argv: [...argv, ...(options.argv ?? [])], env: options.env ?? {}, logStream });
  if (prepared.kind !== 'operator') throw new Error(`expected an operator, got output: ${prepared.output}`);
  const { operator } = prepared;
  await operator.start();
  const handle: RunningOperator = {
    operator,
    logs,
    logText: () => logs.join('\n'),
    stop: async () => {
      running.delete(handle);
      return operator.stop();
    },
  };
  running.add(handle);
  if (options.waitSynced ?? true) await operator.synced();
  return handle;
}

/** Stops every operator a test left running (call in afterEach). */
export async function stopAllOperators(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()));
}

/** Installs the CRD of a handler class, or of a namespaced resource, and waits until it is Established. */
export async function installCrd(
  kubeConfig: KubeConfig,
  source: HandlerClass | { group: string; version: string; plural: string; kind: string; singular?: string },
): Promise<void> {
  const resource: CustomResourceRecord =
    typeof source === 'function'
      ? describeHandlerClass(source).resource
      : { custom: true, labelSelector: undefined, fieldSelector: undefined, singular: source.kind.toLowerCase(), shortNames: [], scope: 'Namespaced', schema: undefined, categories: [], finalizer: undefined, ...source };
  const client = new KubeClient(kubeConfig);
  try {
    await ensureCrd(client, resource);
  } finally {
    await client.close();
  }
}

/** Typed helpers over CustomObjectsApi for one resource in one namespace. */
export function objects(kubeConfig: KubeConfig, resource: { group: string; version: string; plural: string; kind: string }, namespace: string) {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const base = { group: resource.group, version: resource.version, plural: resource.plural, namespace };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    api,
    create: (name: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      api.createNamespacedCustomObject({
        ...base,
        body: { apiVersion: `${resource.group}/${resource.version}`, kind: resource.kind, metadata: { name, namespace, ...extra }, spec },
      }) as Promise<TestObject>,
    get: async (name: string): Promise<TestObject | undefined> => {
      try {
        return (await api.getNamespacedCustomObject({ ...base, name })) as TestObject;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    },
    patchSpec: (name: string, spec: Record<string, unknown>) => api.patchNamespacedCustomObject({ ...base, name, body: { spec } }, mergePatch),
    patchStatus: (name: string, status: Record<string, unknown>) =>
      api.patchNamespacedCustomObjectStatus({ ...base, name, body: { status } }, mergePatch),
    patchMetadata: (name: string, metadata: Record<string, unknown>) => api.patchNamespacedCustomObject({ ...base, name, body: { metadata } }, mergePatch),
    delete: (name: string) => api.deleteNamespacedCustomObject({ ...base, name }),
  };
}

export interface TestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A JSON log line parsed, for assertions on fields. */
export function parseLogs(logs: string[]): Array<Record<string, unknown>> {
  return logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The Events recorded on one object, for assertions on reason, type, message and count. */
export async function eventsOn(kubeConfig: KubeConfig, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

/** Waits for an Event of `reason` on the object and returns it. */
export function eventOn(kubeConfig: KubeConfig, namespace: string, name: string, reason: string): Promise<CoreV1Event> {
  return eventually(async () => (await eventsOn(kubeConfig, namespace, name)).find((e) => e.reason === reason), `a ${reason} Event on ${name}`);
}
