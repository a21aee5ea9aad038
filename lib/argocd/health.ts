/**
 * Argo CD resource customizations the platform relies on. They go into
 * `argocd-cm` (through the argo-cd chart values when the platform installs
 * Argo CD; README.md shows them for an existing Argo CD).
 *
 * Without the Application check, Argo CD treats a child Application as
 * healthy as soon as it exists, and sync waves of the app-of-apps do not wait.
 */

/** A child Application is healthy when its resources are, and not while a sync runs or after one failed. */
export const APPLICATION_HEALTH = `local hs = {}
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

/** A CloudNativePG Cluster is healthy when every instance is ready and the operator says so. */
export const CNPG_CLUSTER_HEALTH = `local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the PostgreSQL instances"
if obj.status ~= nil then
  if obj.status.phase ~= nil then
    hs.message = obj.status.phase
  end
  local ready = obj.status.readyInstances or 0
  if obj.status.phase == "Cluster in healthy state" and ready == obj.spec.instances then
    hs.status = "Healthy"
  elseif obj.status.phase ~= nil and string.find(string.lower(obj.status.phase), "fail") then
    hs.status = "Degraded"
  end
end
return hs
`;

/** A CloudNativePG Database is healthy once the operator applied it to the current generation. */
export const CNPG_DATABASE_HEALTH = `local hs = {}
hs.status = "Progressing"
hs.message = "Waiting for the operator to create the database"
if obj.status ~= nil then
  if obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration < obj.metadata.generation then
    return hs
  end
  if obj.status.applied == true then
    hs.status = "Healthy"
    hs.message = "Database applied"
  elseif obj.status.applied == false then
    hs.status = "Degraded"
    hs.message = obj.status.message or "Database not applied"
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
};
