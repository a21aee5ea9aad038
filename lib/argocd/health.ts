/**
 * Argo CD resource customizations the platform relies on. They go into
 * `argocd-cm` (through the argo-cd chart values when the platform installs
 * Argo CD; README.md shows them for an existing Argo CD).
 *
 * Without the Application check, Argo CD treats a child Application as
 * healthy as soon as it exists, and sync waves of the app-of-apps do not wait.
 */

/** Label of the root Application, which syncs itself (lib/platform.ts). */
export const ROOT_APPLICATION_LABEL = 'mlops-gitops.dev/root';

/**
 * A child Application is healthy when its resources are, and not while a
 * sync runs or after one failed. The root Application is among the
 * resources of its own sync (it manages itself): while that sync runs it
 * would wait for itself forever, so as a resource it is always healthy.
 */
export const APPLICATION_HEALTH = `local hs = {}
if obj.metadata.labels ~= nil and obj.metadata.labels["${ROOT_APPLICATION_LABEL}"] == "true" then
  hs.status = "Healthy"
  hs.message = "The root Application: its health is that of the Applications it syncs"
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the first sync"
if obj.status ~= nil then
  if obj.status.health ~= nil and obj.status.health.status ~= nil then
    hs.status = obj.status.health.status
    hs.message = obj.status.health.message or ""
  end
  local op = obj.status.operationState
  if op ~= nil then
    if op.phase == "Running" or op.phase == "Terminating" then
      hs.status = "Progressing"
      hs.message = "Sync " .. op.phase
    elseif (op.phase == "Failed" or op.phase == "Error") and hs.status == "Healthy" then
      hs.status = "Degraded"
      hs.message = op.message or ("Sync " .. op.phase)
    end
  end
end
return hs
`;

/**
 * A HelmChart is degraded when the helm-controller reports `Failed`, healthy
 * once the install job exists. The job's completion is awaited by the
 * install-gate hook (lib/constructs/helm-chart.ts), because HelmChart status
 * does not report it.
 */
export const HELMCHART_HEALTH = `local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the helm-controller to create the install job"
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Failed" and c.status == "True" then
      hs.status = "Degraded"
      hs.message = c.message or c.reason or "Helm install failed"
      return hs
    end
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "JobCreated" and c.status == "True" then
      hs.status = "Healthy"
      hs.message = c.message or "Install job created"
    end
  end
end
return hs
`;

/** A SealedSecret is healthy once the controller has unsealed its current generation. */
export const SEALEDSECRET_HEALTH = `local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the sealed-secrets controller"
if obj.status ~= nil then
  if obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
    return hs
  end
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == "Synced" then
        if c.status == "True" then
          hs.status = "Healthy"
          hs.message = c.message or "Unsealed"
        else
          hs.status = "Degraded"
          hs.message = c.message or "Could not unseal"
        end
      end
    end
  end
end
return hs
`;

/**
 * CloudNativePG Cluster phases (api/v1/cluster_types.go of operator 1.30.0)
 * that need a person: terminal, or retried but failing until the spec,
 * the image catalog or a plugin is fixed. Every other phase (switchover,
 * failing over, creating replicas, upgrades, restarts, applying
 * configuration) is transient and reported as Progressing.
 */
export const CNPG_DEGRADED_PHASES: readonly string[] = [
  'Cluster is unrecoverable and needs manual intervention',
  'Invalid cluster definition',
  'Unable to create required cluster objects',
  'Cluster cannot proceed to reconciliation due to an unknown plugin being required',
  'Cluster cannot proceed to reconciliation due to an error while interacting with plugins',
  'Cluster has incomplete or invalid image catalog',
  'Cluster cannot execute instance online upgrade due to missing architecture binary',
  'Waiting for user action',
];

/** The phase in which every instance serves (the operator's Ready condition is True only in it). */
export const CNPG_HEALTHY_PHASE = 'Cluster in healthy state';

/** A CloudNativePG Cluster is healthy when every instance is ready and the operator says so; degraded only in a phase that needs a person. */
export const CNPG_CLUSTER_HEALTH = `local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the PostgreSQL instances"
local degraded = {
${CNPG_DEGRADED_PHASES.map((p) => `  [${JSON.stringify(p)}] = true,`).join('\n')}
}
if obj.status ~= nil and obj.status.phase ~= nil then
  local phase = obj.status.phase
  hs.message = phase
  if obj.status.phaseReason ~= nil and obj.status.phaseReason ~= "" then
    hs.message = phase .. ": " .. obj.status.phaseReason
  end
  local ready = obj.status.readyInstances or 0
  if phase == ${JSON.stringify(CNPG_HEALTHY_PHASE)} and ready == obj.spec.instances then
    hs.status = "Healthy"
  elseif degraded[phase] then
    hs.status = "Degraded"
  end
end
return hs
`;

/**
 * A CloudNativePG Database is healthy once the instance manager applied its
 * current generation. A failed apply is retried every 30 s (a role or the
 * primary not ready yet is normal on the first sync), so it stays
 * Progressing with the error as message; only a conflict with another
 * Database object, which never resolves by itself, is Degraded.
 */
export const CNPG_DATABASE_HEALTH = `local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the operator to create the database"
if obj.status ~= nil then
  local current = obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration >= obj.metadata.generation
  if obj.status.applied == true and current then
    hs.status = "Healthy"
    hs.message = "Database applied"
  elseif obj.status.applied == false then
    local message = obj.status.message or "Database not applied"
    if string.find(message, "is already managed by", 1, true) then
      hs.status = "Degraded"
      hs.message = message
    else
      hs.message = "Retrying: " .. message
    end
  elseif obj.status.message ~= nil and obj.status.message ~= "" then
    hs.message = obj.status.message
  end
end
return hs
`;

/**
 * Argo CD keeps an Ingress Progressing until the ingress controller reports
 * a load-balancer address, which some never do (Traefik without a published
 * service, clusters without load balancers), and then every later sync wave
 * waits forever. Nothing in the platform needs that address: an Ingress is
 * healthy once it exists, and the message says whether it has one.
 */
export const INGRESS_HEALTH = `local hs = {}
hs.status = "Healthy"
hs.message = "No load-balancer address reported by the ingress controller yet"
if obj.status ~= nil and obj.status.loadBalancer ~= nil and obj.status.loadBalancer.ingress ~= nil then
  for _, i in ipairs(obj.status.loadBalancer.ingress) do
    hs.message = "Address " .. (i.hostname or i.ip or "")
  end
end
return hs
`;

/**
 * KubeRay 1.7.0 RayService (Argo CD has no check of its own): its `Ready`
 * condition, once the operator has seen the current generation. Terminal
 * reasons (the spec is invalid, the cluster never came up in time) and a
 * Service without endpoints are Degraded; Initializing and suspending are
 * Progressing. An upgrade keeps Ready true (the old cluster serves).
 */
export const RAYSERVICE_HEALTH = `local hs = { status = "Progressing", message = "Waiting for the RayService's status" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < obj.metadata.generation) then
  hs.message = "Waiting for the operator to see the current spec"
  return hs
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Suspended" and c.status == "True" then
    return { status = "Suspended", message = c.message or "Suspended" }
  end
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    local message = c.message or c.reason or ""
    if c.status == "True" then
      return { status = "Healthy", message = message }
    end
    if c.reason == "ValidationFailed" or c.reason == "InitializingTimeout" or c.reason == "ZeroServeEndpoints" then
      return { status = "Degraded", message = message }
    end
    return { status = "Progressing", message = message }
  end
end
return hs
`;

/** The `argocd-cm` entries, keyed as Argo CD expects them. */
export const HEALTH_CUSTOMIZATIONS: Readonly<Record<string, string>> = {
  'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH,
  'resource.customizations.health.helm.cattle.io_HelmChart': HELMCHART_HEALTH,
  'resource.customizations.health.bitnami.com_SealedSecret': SEALEDSECRET_HEALTH,
  'resource.customizations.health.postgresql.cnpg.io_Cluster': CNPG_CLUSTER_HEALTH,
  'resource.customizations.health.postgresql.cnpg.io_Database': CNPG_DATABASE_HEALTH,
  'resource.customizations.health.networking.k8s.io_Ingress': INGRESS_HEALTH,
  'resource.customizations.health.ray.io_RayService': RAYSERVICE_HEALTH,
};
