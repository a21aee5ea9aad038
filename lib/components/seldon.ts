/**
 * Seldon Core v1 operator 1.18.2, only when the environment accepts its
 * licence (`serving.seldon.licence: BSL-1.1`): releases from 22 January 2024
 * (1.18 and later, and Core 2) are under the Business Source License 1.1,
 * which allows production use only with a licence from Seldon. 1.17.1 was
 * the last Apache-2.0 release; 1.18.2 is pinned because it is the release
 * whose CRD and chart this project validates against and whose operator is
 * tested on Kubernetes 1.27 (it creates autoscaling/v2 HPAs and policy/v1
 * PDBs, which 1.27 to 1.36 all serve). Seed users who ran Seldon should
 * move to KServe with MLServer (`server: kserve`, README "Serving").
 *
 * No gateway: without Istio or Ambassador the operator makes a ClusterIP
 * Service per predictor, which the model's gateway fronts like any backend.
 * The webhook certificate comes from cert-manager (the chart otherwise makes
 * a new CA on every render).
 */
import { Construct } from 'constructs';
import { CHARTS, IMAGES } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';

export const SELDON_NAMESPACE = 'seldon-system';
const SELDON_UID = 8888;

export function seldonValues(): Record<string, unknown> {
  const security = {
    runAsNonRoot: true,
    runAsUser: SELDON_UID,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return {
    certManager: { enabled: true },
    istio: { enabled: false },
    ambassador: { enabled: false },
    keda: { enabled: false },
    usageMetrics: { enabled: false },
    image: { registry: 'docker.io', repository: IMAGES.seldonOperator.repository.replace(/^docker\.io\//, ''), tag: IMAGES.seldonOperator.tag, pullPolicy: 'IfNotPresent' },
    executor: {
      image: { registry: 'docker.io', repository: IMAGES.seldonExecutor.repository.replace(/^docker\.io\//, ''), tag: IMAGES.seldonExecutor.tag, pullPolicy: 'IfNotPresent' },
    },
    // The chart writes this map under the container's key: it must be wrapped in securityContext.
    manager: { containerSecurityContext: { securityContext: security } },
  };
}

export class SeldonChart extends ComponentChart {
  constructor(scope: Construct) {
    // After cert-manager (Tier.CONTROLLERS + 5): the webhook certificate is a Certificate.
    super(scope, { name: 'seldon', namespace: SELDON_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 6 });
    new HelmChart(this, 'seldon-core-operator', {
      name: 'seldon-core-operator',
      chart: CHARTS.seldonCoreOperator,
      // The CRD is a template of the chart: uninstalling deletes every SeldonDeployment.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: seldonValues(),
    });
  }
}
