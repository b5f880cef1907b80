// Turns a Deployment's observed status into the StaticSite's conditions: what the site's users need to see.

/** A standard Kubernetes condition (the shape `kubectl wait --for=condition=...` reads). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

/**
 * `Available` and `Progressing` copied from the Deployment once its controller has seen the current spec;
 * `Unknown` before. A transition time only moves when the status does, as the API conventions ask.
 */
export function siteConditions(
  deployment: DeploymentStatus | undefined,
  generation: number | undefined,
  previous: Condition[] = [],
  now = new Date(),
): Condition[] {
  const observed = deployment?.observedGeneration !== undefined && deployment.observedGeneration === generation;
  return ['Available', 'Progressing'].map((type) => {
    const source = observed ? deployment?.conditions?.find((c) => c.type === type) : undefined;
    const status = (source?.status as Condition['status'] | undefined) ?? 'Unknown';
    const before = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason: source?.reason ?? 'DeploymentNotObserved',
      message: source?.message ?? 'the Deployment controller has not reported on the current spec yet',
      lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now.toISOString(),
    };
  });
}
