// StaticSite: one object becomes a Deployment serving an image and a Service in front of it; the Deployment's
// observed state comes back as the site's status conditions. Both children are repaired when changed by hand.
import { CustomResource, OnReconcile, Owns } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import { type Condition, type DeploymentStatus, siteConditions } from './site-conditions.js';

/** @validation {rule: "self.replicas == 0 || self.image != ''", message: "a site with replicas needs an image"} */
export interface StaticSiteSpec {
  /**
   * Container image serving the site, e.g. nginxinc/nginx-unprivileged:1.27-alpine.
   * @pattern ^[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$
   */
  image: string;
  /**
   * Pods serving it.
   * @integer
   * @minimum 0
   * @maximum 20
   */
  replicas: number;
  /**
   * Port the container listens on; the Service exposes it on port 80.
   * @integer
   * @minimum 1
   * @maximum 65535
   * @default 8080
   */
  port?: number;
}

export interface StaticSiteStatus {
  /** Whether every wanted Pod is available. */
  state: 'available' | 'progressing';
  /** @integer */
  replicas: number;
  /** @integer */
  availableReplicas: number;
  /** @listType map @listMapKeys type */
  conditions: Condition[];
  /** @integer @format int64 */
  observedGeneration?: number;
}

export type StaticSite = CustomObject<StaticSiteSpec, StaticSiteStatus>;

@CustomResource({
  group: 'samples.kubeop.dev',
  version: 'v1',
  plural: 'staticsites',
  kind: 'StaticSite',
  shortNames: ['site'],
  columns: [
    { name: 'Image', type: 'string', jsonPath: '.spec.image' },
    { name: 'Wanted', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
    { name: 'State', type: 'string', jsonPath: '.status.state' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
})
@Owns({ group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' })
@Owns({ group: '', version: 'v1', plural: 'services', kind: 'Service' })
export class StaticSiteHandler extends ResourceHandler<StaticSiteSpec, StaticSiteStatus> {
  /** Runs on every change of the site, its Deployment (including the Deployment's status) or its Service. */
  @OnReconcile()
  async reconcile(site: StaticSite): Promise<void> {
    const { name, generation } = site.metadata;
    const { image, replicas, port = 8080 } = site.spec!; // the API server fills in the default; older objects may lack it
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
