import { describe, expect, it } from '@jest/globals';
import { describeHandlerClass } from '@kubeop/core/tooling';
import {
  ConvertFrom,
  ConvertTo,
  CustomResource,
  OnAdded,
  OnDeleted,
  OnReconcile,
  OnValidate,
  Owns,
  Resource,
} from '@kubeop/decorators';
import { operatorManifests, operatorRules } from '../src/index.js';

@CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'sites', kind: 'Site' })
@Owns({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' })
@Owns({ group: '', version: 'v1', plural: 'services', kind: 'Service' })
class Sites {
  @OnReconcile() reconcile(): void {}
  @OnDeleted() deleted(): void {}
}

@Resource({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
class Maps {
  @OnAdded() added(): void {}
}

const descriptions = [describeHandlerClass(Sites), describeHandlerClass(Maps)];
const base = {
  name: 'site-operator',
  operatorNamespace: 'site-system',
  image: 'example.com/op:1',
  replicas: 2,
  leaderElect: true,
  watchNamespace: undefined,
  createCrd: false,
  updateCrd: false,
};

describe('operatorRules', () => {
  it('grants exactly the verbs kubeop uses, per resource, and no wildcard', () => {
    const { objects, cluster } = operatorRules(descriptions, { createCrd: false, updateCrd: false });
    expect(objects).toEqual([
      { apiGroups: ['example.kubeop.dev'], resources: ['sites'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
      { apiGroups: ['example.kubeop.dev'], resources: ['sites/status'], verbs: ['patch'] },
      { apiGroups: ['example.kubeop.dev'], resources: ['sites/finalizers'], verbs: ['update'] },
      // Class decorators apply bottom-up.
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
      { apiGroups: [''], resources: ['configmaps/status'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
    expect(cluster).toEqual([]);
    expect(JSON.stringify(objects)).not.toContain('*');
  });

  it('merges the verbs of a type that is both handled and owned', () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'bundles', kind: 'Bundle' })
    @Owns({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' })
    class Bundles {
      @OnReconcile() reconcile(): void {}
    }
    const { objects } = operatorRules([describeHandlerClass(Bundles), describeHandlerClass(Maps)], {
      createCrd: false,
      updateCrd: false,
    });
    expect(objects.find((rule) => rule.resources[0] === 'configmaps')?.verbs).toEqual([
      'get',
      'list',
      'watch',
      'create',
      'patch',
      'update',
    ]);
  });

  it('adds CRD access only when the operator creates or updates its CRDs', () => {
    expect(operatorRules(descriptions, { createCrd: true, updateCrd: false }).cluster).toEqual([
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'create'] },
    ]);
    expect(operatorRules(descriptions, { createCrd: false, updateCrd: true }).cluster[0]?.verbs).toEqual([
      'get',
      'patch',
    ]);
  });

  it("adds the storage migration's CRD access when a class serves several versions", () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v2', plural: 'widgets', kind: 'Widget' })
    class Widgets {
      @OnReconcile() reconcile(): void {}
      @ConvertFrom('v1') fromV1(): void {}
      @ConvertTo('v1') toV1(): void {}
    }
    expect(operatorRules([describeHandlerClass(Widgets)], { createCrd: false, updateCrd: false }).cluster).toEqual([
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions/status'], verbs: ['patch'] },
    ]);
  });
});

describe('operatorRules of classes with webhooks only', () => {
  const rules = (...classes: Array<new () => object>) =>
    operatorRules(
      classes.map((c) => describeHandlerClass(c)),
      { createCrd: false, updateCrd: false },
    );

  it('grant only list (the start-up check that the resource is served): the API server sends the objects', () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'valves', kind: 'Valve' })
    class Valves {
      @OnValidate() check(): void {}
    }
    @Resource({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret' })
    class SecretGuard {
      @OnValidate() check(): void {}
    }
    expect(rules(Valves, SecretGuard).objects).toEqual([
      { apiGroups: ['example.kubeop.dev'], resources: ['valves'], verbs: ['list'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
  });

  it('grant the storage migration list and patch (not watch) when the class serves several versions', () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v2', plural: 'taps', kind: 'Tap' })
    class Taps {
      @OnValidate() check(): void {}
      @ConvertFrom('v1') fromV1(): void {}
      @ConvertTo('v1') toV1(): void {}
    }
    const { objects, cluster } = rules(Taps);
    expect(objects[0]).toEqual({
      apiGroups: ['example.kubeop.dev'],
      resources: ['taps'],
      verbs: ['list', 'get', 'patch'],
    });
    expect(cluster.map((rule) => rule.resources[0])).toEqual([
      'customresourcedefinitions',
      'customresourcedefinitions/status',
    ]);
  });

  it('leave the verbs of a class that also handles the objects as they are', () => {
    @CustomResource({ group: 'example.kubeop.dev', version: 'v1', plural: 'pumps', kind: 'Pump' })
    class Pumps {
      @OnAdded() added(): void {}
      @OnValidate() check(): void {}
    }
    expect(rules(Pumps).objects[0]?.verbs).toEqual(['get', 'list', 'watch', 'patch', 'update']);
  });
});

describe('operatorManifests', () => {
  it('gives a cluster-wide operator a ClusterRole, its Lease a Role in its own namespace, and CRDs for custom resources only', () => {
    const kinds = operatorManifests(descriptions, base).map(
      (m) => `${m.kind}/${m.metadata.name}${m.metadata.namespace ? `@${m.metadata.namespace}` : ''}`,
    );
    expect(kinds).toEqual([
      'Namespace/site-system',
      'CustomResourceDefinition/sites.example.kubeop.dev',
      'ServiceAccount/site-operator@site-system',
      'ClusterRole/site-operator',
      'ClusterRoleBinding/site-operator',
      'Role/site-operator-leader-election@site-system',
      'RoleBinding/site-operator-leader-election@site-system',
      'Deployment/site-operator@site-system',
    ]);
  });

  it('gives an operator of one namespace a Role there, and no Lease role without leader election', () => {
    const manifests = operatorManifests(descriptions, {
      ...base,
      watchNamespace: 'apps',
      leaderElect: false,
      replicas: 1,
    });
    expect(manifests.map((m) => `${m.kind}@${m.metadata.namespace ?? ''}`)).toEqual([
      'Namespace@',
      'CustomResourceDefinition@',
      'ServiceAccount@site-system',
      'Role@apps',
      'RoleBinding@apps',
      'Deployment@site-system',
    ]);
  });

  it('emits the operator namespace first, so a fresh cluster takes them in order, and leaves it out when asked', () => {
    const [first] = operatorManifests(descriptions, base);
    expect(first).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'site-system', labels: { 'app.kubernetes.io/name': 'site-operator' } },
    });
    const without = operatorManifests(descriptions, { ...base, createNamespace: false });
    expect(without.map((m) => m.kind)).not.toContain('Namespace');
    expect(without).toHaveLength(operatorManifests(descriptions, base).length - 1);
  });

  it('writes a hardened Deployment: replicas behind the Lease, probes, named ports, resources', () => {
    const deployment = operatorManifests(descriptions, base).find((m) => m.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: { serviceAccountName: string; securityContext: object; containers: Array<Record<string, unknown>> };
        };
      };
    };
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('site-operator');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = pod.containers;
    expect(container).toMatchObject({
      image: 'example.com/op:1',
      args: expect.arrayContaining([
        '--leader-elect',
        '--metrics-bind-address=:8080',
        '--health-probe-bind-address=:8081',
      ]),
      ports: [
        expect.objectContaining({ name: 'metrics', containerPort: 8080 }),
        expect.objectContaining({ name: 'probes', containerPort: 8081 }),
      ],
      livenessProbe: { httpGet: { path: '/healthz', port: 'probes' } },
      readinessProbe: { httpGet: { path: '/readyz', port: 'probes' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      },
      env: [{ name: 'NODE_OPTIONS', value: expect.stringMatching(/^--max-semi-space-size=\d+ --v8-pool-size=\d+$/) }],
      resources: { requests: expect.any(Object), limits: expect.any(Object) },
    });
  });
});
