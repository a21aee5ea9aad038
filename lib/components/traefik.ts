/**
 * Traefik as the ingress controller of a generic cluster that has none
 * (`cluster.ingressController: install`), serving `cluster.ingressClass`.
 *
 * Only the Ingress provider is on: every route of the platform is a
 * Kubernetes Ingress, and its status gets the LoadBalancer Service's address
 * (published service). HTTP is not redirected to HTTPS, so that ACME HTTP-01
 * challenges reach cert-manager's solver. The chart's CRDs come from its
 * crds/ folder: Helm installs them once and never upgrades them, which is
 * harmless here because no Traefik custom resource is used.
 */
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';

export const TRAEFIK_NAMESPACE = 'traefik';

/** The traefik chart values. */
export function traefikValues(config: EnvironmentConfig): Record<string, unknown> {
  const slash = IMAGES.traefik.repository.indexOf('/');
  return {
    image: { registry: IMAGES.traefik.repository.slice(0, slash), repository: IMAGES.traefik.repository.slice(slash + 1), tag: IMAGES.traefik.tag },
    deployment: { replicas: 2 },
    // A Service for the metrics port (the platform's ServiceMonitor scrapes it).
    metrics: { prometheus: { service: { enabled: true } } },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    // Not the cluster's default class: only Ingresses that name it.
    ingressClass: { enabled: true, isDefaultClass: false, name: config.cluster.ingressClass },
    providers: {
      kubernetesCRD: { enabled: false },
      kubernetesIngress: { enabled: true, publishedService: { enabled: true } },
    },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    // The chart's defaults, stated on purpose: they meet the restricted level.
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
}

export class TraefikChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, { name: 'traefik', namespace: TRAEFIK_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 3 });
    new HelmChart(this, 'traefik', {
      name: 'traefik',
      chart: CHARTS.traefik,
      holdsData: false,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: traefikValues(config),
    });
  }
}
