/**
 * What a cluster must have before an environment's dist/ can come up on it:
 * each requirement with the reason and a command that checks it. Pure: a
 * function of the environment's config and of the components it gets.
 */
import { clusterIssuerName } from './components/cert-manager';
import { EnvironmentConfig } from './config/environment';
import { CHARTS } from './config/versions';

export interface Requirement {
  /** What the cluster (or the person) must provide. */
  readonly need: string;
  /** Why the platform needs it. */
  readonly why: string;
  /** A command that shows whether it is there, or what to do. */
  readonly check: string;
}

/** The hosts the environment serves UIs at. */
export function uiHosts(config: EnvironmentConfig, components: readonly string[]): string[] {
  const ui: Record<string, string> = { argocd: 'argocd', mlflow: 'mlflow', airflow: 'airflow', prefect: 'prefect' };
  const serving = components.includes('serving') ? [...config.serving.models.map((m) => m.host), ...config.serving.apps.map((a) => a.host)] : [];
  return [...components.filter((c) => ui[c]).map((c) => `${ui[c]}.${config.domain}`), ...serving];
}

export function preflight(config: EnvironmentConfig, components: readonly string[]): Requirement[] {
  const { cluster } = config;
  const has = (c: string) => components.includes(c);
  const r: Requirement[] = [];
  r.push({
    need: 'kubectl 1.31 or later, with cluster-admin on the target cluster',
    why: 'the bootstrap waits for CRDs with `kubectl wait --for=create`',
    check: 'kubectl version --client && kubectl auth can-i "*" "*" --all-namespaces',
  });
  r.push({
    need: `Kubernetes ${has('cnpg-operator') ? '1.29' : '1.27'} or later`,
    why: `the manifests are validated against the Kubernetes 1.27 and 1.36 APIs${has('cnpg-operator') ? `; the cloudnative-pg chart ${CHARTS.cloudnativePg.version} requires 1.29` : ''}`,
    check: 'kubectl version',
  });
  if (cluster.helmController === 'builtin') {
    r.push({
      need: `${cluster.distribution}'s helm-controller, with the klipper-helm job image it ships`,
      why: 'every chart is a helm.cattle.io/v1 HelmChart; HelmCharts set no job image, so the distribution\'s pairing applies (helm-controller v0.17.4+ needs klipper-helm v0.13.1+)',
      check: 'kubectl get crd helmcharts.helm.cattle.io && kubectl -n kube-system get jobs -l helmcharts.helm.cattle.io/chart -o jsonpath=\'{..image}\'',
    });
  } else {
    r.push({
      need: 'nothing for HelmCharts: bootstrap step 3 installs the helm-controller',
      why: 'a generic cluster has no helm-controller; its install jobs run with the system-cluster-critical priority class, admitted by the helm-install-jobs quota of each namespace (GKE)',
      check: 'kubectl get crd helmcharts.helm.cattle.io   # after step 3',
    });
  }
  r.push({
    need: `StorageClass "${cluster.storageClass}"`,
    why: 'PostgreSQL instances, MinIO, and the Airflow triggerer, workers and Redis claim volumes of this class',
    check: `kubectl get storageclass ${cluster.storageClass}`,
  });
  if (cluster.ingressController === 'install') {
    r.push({
      need: 'Services of type LoadBalancer get an address (a cloud load balancer, MetalLB, ...)',
      why: `the platform installs Traefik (chart ${CHARTS.traefik.version}) for ingress class "${cluster.ingressClass}" behind a LoadBalancer Service`,
      check: 'kubectl -n traefik get service traefik   # EXTERNAL-IP, once the traefik Application is synced',
    });
  } else {
    r.push({
      need: `an ingress controller serving IngressClass "${cluster.ingressClass}"`,
      why: `every UI is an Ingress of class "${cluster.ingressClass}"${cluster.distribution === 'k3s' ? ' (k3s ships Traefik as "traefik")' : ''}; or set cluster.ingressController: install on a generic cluster`,
      check: `kubectl get ingressclass ${cluster.ingressClass}`,
    });
  }
  const hosts = uiHosts(config, components);
  if (hosts.length > 0) {
    r.push({
      need: `DNS names ${hosts.join(', ')} resolving to the ingress controller's address`,
      why: 'the UIs are served at <app>.<domain>',
      check: hosts.map((h) => `getent hosts ${h}`).join(' && '),
    });
  }
  const tls = config.tls;
  if (tls.issuer === 'acme') {
    r.push({
      need: `those names reachable from the internet on port 80, and a real account e-mail (${tls.email})`,
      why: `Let's Encrypt (${tls.server}) validates each certificate over HTTP-01 through ingress class "${cluster.ingressClass}"`,
      check: 'kubectl get certificates -A   # READY True once issued; kubectl describe challenges -A otherwise',
    });
  } else if (tls.issuer === 'selfSigned') {
    r.push({
      need: 'browsers (and clients) that trust the environment\'s CA',
      why: 'cert-manager issues every UI certificate from the self-signed CA mlops-ca',
      check: 'kubectl -n cert-manager get secret mlops-ca -o jsonpath=\'{.data.ca\\.crt}\' | base64 -d > mlops-ca.crt   # then trust it',
    });
  } else {
    r.push({
      need: `cert-manager running, and ClusterIssuer "${clusterIssuerName(config)}"`,
      why: 'with tls.issuer: clusterIssuer the platform does not install cert-manager',
      check: `kubectl get clusterissuer ${clusterIssuerName(config)}`,
    });
  }
  if (config.argocd.install && config.argocd.ha) {
    r.push({
      need: 'at least three schedulable nodes',
      why: 'Argo CD HA (redis-ha) uses hard pod anti-affinity across nodes',
      check: 'kubectl get nodes',
    });
  }
  if (!config.argocd.install) {
    r.push({
      need: `an Argo CD (v2.7 or later; this platform installs ${CHARTS.argoCd.appVersion}) with the cluster registered as ${cluster.server}, read access to ${config.gitops.repoURL}, and the platform's health checks in argocd-cm`,
      why: 'argocd.install is false: that Argo CD syncs the environment; Delete=false needs v2.7, and without the health checks sync waves do not wait',
      check: `argocd cluster list | grep ${cluster.server} && argocd repo list | grep ${config.gitops.repoURL}`,
    });
  } else if (config.gitops.credentials !== 'none') {
    r.push({
      need: `the repository Secret gitops-repo in namespace ${config.argocd.namespace} before the root Application (bootstrap step 5)`,
      why: `${config.gitops.repoURL} is private`,
      check: `kubectl -n ${config.argocd.namespace} get secret gitops-repo`,
    });
  }
  if (has('sealed-secrets')) {
    r.push({
      need: `the sealing key of ${config.sealing.certificate} in the sealed-secrets controller`,
      why: 'every credential is sealed with that certificate',
      check: `kubectl -n ${config.components.sealedSecrets.namespace} get secrets -l sealedsecrets.bitnami.com/sealed-secrets-key`,
    });
  }
  if (cluster.autoscaler === 'karpenter' && config.nodePools.length > 0) {
    r.push({
      need: `Karpenter (v1 API) and its EC2NodeClass "${cluster.karpenterNodeClass}"${config.nodePools.some((p) => p.kind === 'gpu') ? ', with an accelerated AMI (alias al2023@latest picks the NVIDIA variant) and a root volume of 100Gi or more' : ''}`,
      why: `the node pools are Karpenter NodePools${config.nodePools.some((p) => p.kind === 'gpu') ? '; GPU nodes need the NVIDIA driver and room for CUDA images' : ''}`,
      check: `kubectl get crd nodepools.karpenter.sh && kubectl get ec2nodeclass ${cluster.karpenterNodeClass}`,
    });
  }
  if (cluster.autoscaler === 'cluster-autoscaler' && config.nodePools.length > 0) {
    r.push({
      need: 'node groups for every pool, with the tags in dist/<env>/node-groups.md',
      why: 'cluster-autoscaler scales a pool from zero only with its node-template tags',
      check: 'kubectl -n kube-system get deployment -l app.kubernetes.io/name=aws-cluster-autoscaler',
    });
  }
  if (config.nodePools.some((p) => p.kind === 'gpu') && config.gpuPlugin === 'device-plugin') {
    r.push({
      need: 'the NVIDIA driver and container toolkit on GPU nodes (an accelerated node image)',
      why: 'gpu.plugin: device-plugin installs only the device plugin',
      check: "kubectl get nodes -o custom-columns='NAME:.metadata.name,GPUS:.status.allocatable.nvidia\\.com/gpu'",
    });
  }
  if (config.objectStore.kind === 'external' && config.objectStore.credentials === 'serviceAccount') {
    r.push({
      need: `the cloud identity in serviceAccountAnnotations (${Object.values(config.objectStore.serviceAccountAnnotations).join(', ')}) with access to the ${config.objectStore.bucketPrefix}* buckets`,
      why: 'pods reach the external object store with that identity, not with keys',
      check: 'aws iam get-role --role-name <the role in the annotation>',
    });
  }
  if (config.database.kind === 'external') {
    r.push({
      need: `PostgreSQL at ${config.database.host}:${config.database.port}, reachable from the cluster, with each component's role and database`,
      why: 'database.external replaces CloudNativePG',
      check: `psql "host=${config.database.host} port=${config.database.port} sslmode=${config.database.sslmode}" -c 'select 1'`,
    });
  }
  return r;
}

/** The requirements as text for people. */
export function formatPreflight(env: string, requirements: readonly Requirement[]): string {
  const lines = [`Before bootstrapping ${env}, the cluster needs:`, ''];
  requirements.forEach((q, i) => {
    lines.push(`${i + 1}. ${q.need}`, `   why:   ${q.why}`, `   check: ${q.check}`, '');
  });
  return lines.join('\n');
}
