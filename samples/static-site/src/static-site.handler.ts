// StaticSite: one object becomes a Deployment serving an image and a Service in front of it; the Deployment's
// observed state comes back as the site's status conditions. Both children are repaired when changed by hand.
import { CustomResource, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { type Condition, type DeploymentStatus, siteConditions } from './site-conditions.js';

export interface StaticSiteSpec {
  /** Container image serving the site, e.g. nginxinc/nginx-unprivileged:1.27-alpine. */
  image: string;
  /** Pods serving it. */
  replicas: number;
  /** Port the container listens on; the Service exposes it on port 80. */
  port: number;
}

export interface StaticSiteStatus {
  state: 'available' | 'progressing';
  replicas: number;
  availableReplicas: number;
  conditions: Condition[];
  observedGeneration?: number;
}

export type StaticSite = CustomObject<StaticSiteSpec, StaticSiteStatus>;

@CustomResource({ group: 'samples.kubeop.dev', version: 'v1', plural: 'staticsites', kind: 'StaticSite', shortNames: ['site'] })
@Owns({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' })
@Owns({ group: '', version: 'v1', plural: 'services', kind: 'Service' })
export class StaticSiteHandler extends ResourceHandler<StaticSiteSpec, StaticSiteStatus> {
  /** Runs on every change of the site, its Deployment (including the Deployment's status) or its Service. */
  @OnReconcile()
  async reconcile(site: StaticSite): Promise<void> {
    const { name, generation } = site.metadata;
    const { image, replicas, port } = site.spec!;
    const labels = { 'app.kubernetes.io/name': 'static-site', 'app.kubernetes.io/instance': name };
    const deployment = await this.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: port }] }] },
        },
      },
    });
    await this.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const observed = deployment.status as DeploymentStatus | undefined;
    const conditions = siteConditions(observed, deployment.metadata.generation, site.status?.conditions);
    const available = conditions.find((c) => c.type === 'Available')?.status === 'True';
    this.status = {
      state: available ? 'available' : 'progressing',
      replicas: observed?.replicas ?? 0,
      availableReplicas: observed?.availableReplicas ?? 0,
      conditions,
      observedGeneration: generation,
    };
  }
}
