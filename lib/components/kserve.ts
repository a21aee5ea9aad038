/**
 * KServe v0.20.0 in Standard (raw deployment) mode: plain Deployments,
 * Services and HorizontalPodAutoscalers per InferenceService; no Knative, no
 * Istio. Three HelmChart CRs in one Application, each waiting for the one
 * before (waves 0, 2 and 4, each followed by its install gate):
 * 1. kserve-crd: the CRDs, as templates (upgraded with the chart). Uninstalling
 *    deletes them and every InferenceService: kept on removal.
 * 2. kserve-resources: the controller and its webhooks. The webhook
 *    certificate is a cert-manager Certificate (the chart has no other way),
 *    which is why this component's wave follows cert-manager's. The gate waits
 *    until the controller runs: every webhook fails closed.
 * 3. kserve-runtime-configs: the ClusterServingRuntimes, which the
 *    controller's validating webhook admits.
 *
 * KServe creates no Ingress (disableIngressCreation): every model is reached
 * through its gateway and the platform's own Ingress (lib/components/serving.ts).
 */
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES, ImageRef } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';

export const KSERVE_NAMESPACE = 'kserve';

const SECCOMP = { seccompProfile: { type: 'RuntimeDefault' } };
/** What every KServe container gets: the chart's own hardening plus the seccomp profile the restricted level requires. */
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  ...SECCOMP,
};

/** Runtimes the chart defines that the platform does not offer: kept, but disabled (some name unpinned images). */
const UNUSED_RUNTIMES = ['tensorflow', 'huggingfaceserver', 'tritonserver', 'pmmlserver', 'predictiveserver', 'paddleserver', 'autogluonserver', 'torchserve', 'vllmserver'];

function runtime(image: ImageRef, fullName = false): Record<string, unknown> {
  return {
    disabled: false,
    image: fullName ? image.repository : image.repository.replace(/^docker\.io\//, ''),
    tag: image.tag,
    imagePullPolicy: 'IfNotPresent',
    securityContext: { ...CONTAINER_SECURITY, runAsUser: 1000 },
  };
}

/** Values of kserve-resources: Standard mode, no ingress of its own, pinned images, hardened pods. */
export function kserveResourcesValues(config: EnvironmentConfig): Record<string, unknown> {
  return {
    kserve: {
      version: CHARTS.kserveResources.appVersion,
      agent: { image: IMAGES.kserveAgent.repository.replace(/^docker\.io\//, ''), tag: IMAGES.kserveAgent.tag },
      router: { image: IMAGES.kserveRouter.repository.replace(/^docker\.io\//, ''), tag: IMAGES.kserveRouter.tag, imagePullPolicy: 'IfNotPresent' },
      storage: {
        image: IMAGES.kserveStorageInitializer.repository.replace(/^docker\.io\//, ''),
        tag: IMAGES.kserveStorageInitializer.tag,
        containerSecurityContext: { ...CONTAINER_SECURITY, runAsUser: 1000 },
        // Model images as init containers (modelcar) are not used: models come from the object store.
        enableModelcar: false,
      },
      localmodel: { enabled: false },
      // Each predictor gets a normal Service with a cluster IP: the gateways call it on port 80.
      service: { serviceClusterIPNone: false },
      controller: {
        deploymentMode: 'Standard',
        rbacProxyImage: `${IMAGES.kubeRbacProxy.repository}:${IMAGES.kubeRbacProxy.tag}`,
        image: IMAGES.kserveController.repository.replace(/^docker\.io\//, ''),
        tag: IMAGES.kserveController.tag,
        imagePullPolicy: 'IfNotPresent',
        securityContext: { runAsNonRoot: true, ...SECCOMP },
        containerSecurityContext: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true },
        resources: { requests: { cpu: '100m', memory: '300Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        gateway: {
          domain: config.domain,
          urlScheme: 'https',
          // Models are reached through their gateway and the platform's Ingress.
          disableIngressCreation: true,
          // No Istio: without this the controller reports a missing VirtualService CRD on every reconcile.
          disableIstioVirtualHost: true,
          ingressGateway: { enableGatewayApi: false, createGateway: false, className: config.cluster.ingressClass },
        },
      },
    },
  };
}

/** Values of kserve-runtime-configs: the runtimes of the formats the platform offers, at pinned images. */
export function kserveRuntimeValues(): Record<string, unknown> {
  return {
    kserve: {
      version: CHARTS.kserveRuntimeConfigs.appVersion,
      servingruntime: {
        enabled: true,
        sklearnserver: runtime(IMAGES.kserveSklearnServer),
        xgbserver: runtime(IMAGES.kserveXgbServer),
        lgbserver: runtime(IMAGES.kserveLgbServer),
        // The chart names MLServer with its registry, the KServe images without.
        mlserver: runtime(IMAGES.mlserver, true),
        ...Object.fromEntries(UNUSED_RUNTIMES.map((r) => [r, { disabled: true }])),
      },
    },
  };
}

export class KServeChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig) {
    // After cert-manager (Tier.CONTROLLERS + 5): the controller's webhook certificate is a Certificate.
    super(scope, { name: 'kserve', namespace: KSERVE_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 6 });
    const labels = this.objectLabels();
    new HelmChart(this, 'kserve-crd', {
      name: 'kserve-crd',
      chart: CHARTS.kserveCrd,
      // Uninstalling deletes the CRDs, and with them every InferenceService.
      holdsData: true,
      failurePolicy: 'abort',
      labels,
      values: {},
      waitForWorkloads: false,
      wave: 0,
    });
    new HelmChart(this, 'kserve-resources', {
      name: 'kserve-resources',
      chart: CHARTS.kserveResources,
      holdsData: false,
      failurePolicy: 'abort',
      labels,
      values: kserveResourcesValues(config),
      wave: 2,
    });
    new HelmChart(this, 'kserve-runtime-configs', {
      name: 'kserve-runtime-configs',
      chart: CHARTS.kserveRuntimeConfigs,
      holdsData: false,
      failurePolicy: 'abort',
      labels,
      values: kserveRuntimeValues(),
      waitForWorkloads: false,
      // The runtimes pass the controller's validating webhook, whose CA bundle cert-manager's
      // injector fills in shortly after the controller runs: the first attempt may be refused.
      backOffLimit: 6,
      wave: 4,
    });
  }
}
