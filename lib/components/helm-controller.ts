/**
 * The k3s helm-controller, for clusters that are not k3s or RKE2: it runs a
 * Helm job for every `helm.cattle.io/v1` HelmChart.
 *
 * Mirrors the upstream release manifests (namespace, RBAC, Deployment) with
 * the image pinned. The controller creates and updates its own CRDs at
 * start-up (HelmChart and HelmChartConfig), so they are not emitted here.
 */
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IMAGES, imageString } from '../config/versions';
import { ComponentChart, FolderChart, Tier } from '../constructs/component';
import { componentLabels } from '../constructs/labels';
import { containerResources, finishPodTemplate, restrictedContainerSecurity } from '../constructs/workload';

export const HELM_CONTROLLER_NAMESPACE = 'helm-controller';
const NAME = 'helm-controller';

/** Adds the controller's objects to a chart whose namespace is helm-controller. */
function addHelmController(scope: Construct): void {
  const labels = componentLabels(NAME, { 'app.kubernetes.io/name': NAME });
  const sa = new kplus.ServiceAccount(scope, 'service-account', {
    metadata: { name: NAME, labels },
    automountToken: true,
  });
  // Helm installs arbitrary charts (CRDs, cluster roles), and the controller
  // binds its install jobs to this same role (JOB_CLUSTER_ROLE), so it needs
  // everything: this is the upstream role. Only this platform's HelmCharts
  // reach it, and only Argo CD (restricted by the AppProject) creates them.
  new k8s.KubeClusterRole(scope, 'cluster-role', {
    metadata: { name: NAME, labels },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  });
  new k8s.KubeClusterRoleBinding(scope, 'cluster-role-binding', {
    metadata: { name: NAME, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
    subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: HELM_CONTROLLER_NAMESPACE }],
  });
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata: { name: NAME, labels },
    replicas: 1,
    select: false,
    podMetadata: { labels },
    serviceAccount: sa,
    automountServiceAccountToken: true,
    securityContext: { ensureNonRoot: true, user: 65534, group: 65534 },
    containers: [
      {
        name: NAME,
        image: imageString(IMAGES.helmController),
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['helm-controller'],
        envVariables: {
          NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
          JOB_CLUSTER_ROLE: kplus.EnvValue.fromValue(NAME),
          DEFAULT_JOB_IMAGE: kplus.EnvValue.fromValue(imageString(IMAGES.klipperHelm)),
        },
        // A Kubernetes API client: small and mostly idle.
        resources: containerResources({
          requests: { cpu: '50m', memory: '64Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        }),
        // The upstream manifest sets no security context; the controller only
        // talks to the API server, so it runs as nobody with a read-only root.
        securityContext: restrictedContainerSecurity(65534),
      },
    ],
  });
  deployment.select(kplus.LabelSelector.of({ labels: { 'app.kubernetes.io/name': NAME } }));
  finishPodTemplate(deployment);
}

/** The helm-controller as a component, managed by Argo CD after bootstrap. */
export class HelmControllerChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, { name: NAME, namespace: HELM_CONTROLLER_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 0 });
    addHelmController(this);
  }
}

/** The same controller in the bootstrap folder, for `kubectl apply` (its namespace comes from bootstrap/00-namespaces). */
export class HelmControllerBootstrapChart extends FolderChart {
  constructor(scope: Construct, id: string, folder: string) {
    super(scope, id, folder, HELM_CONTROLLER_NAMESPACE);
    addHelmController(this);
  }
}
