/**
 * Every chart and image version the platform deploys, pinned in one place.
 *
 * Exact versions only: no ranges, no `latest`. The policy checks in
 * lib/policies reject anything else, and `npm run check:upstream` validates
 * chart values against the upstream schema at the version named here.
 */

/** A Helm chart pinned to an exact version. */
export interface ChartRef {
  /** Helm repository URL (classic HTTP repository). */
  readonly repo: string;
  /** Chart name in that repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** The application version the chart deploys, for documentation. */
  readonly appVersion: string;
}

/** A container image pinned to an exact tag. */
export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
}

/** An exact (semantic) version: no range, no wildcard, no `latest`. */
export const EXACT_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export function imageString(image: ImageRef): string {
  return `${image.repository}:${image.tag}`;
}

export const CHARTS = {
  /** bitnami-labs/sealed-secrets, chart 2.18.5 (controller 0.36.6). */
  sealedSecrets: {
    repo: 'https://bitnami-labs.github.io/sealed-secrets',
    chart: 'sealed-secrets',
    version: '2.18.5',
    appVersion: '0.36.6',
  },
  /**
   * argoproj/argo-helm argo-cd chart 10.1.1 (Argo CD v3.4.4). The imported
   * Argo CD CRD types are from v3.5.1; Application and AppProject fields used
   * here exist in both.
   */
  argoCd: {
    repo: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-cd',
    version: '10.1.1',
    appVersion: 'v3.4.4',
  },
  /** cloudnative-pg/charts cloudnative-pg 0.29.0 (operator 1.30.0, the CRDs in imports/). */
  cloudnativePg: {
    repo: 'https://cloudnative-pg.github.io/charts',
    chart: 'cloudnative-pg',
    version: '0.29.0',
    appVersion: '1.30.0',
  },
  /** The official Apache Airflow chart 1.20.0 (Airflow 3.1.8). */
  airflow: {
    repo: 'https://airflow.apache.org',
    chart: 'airflow',
    version: '1.20.0',
    appVersion: '3.1.8',
  },
  /** NVIDIA k8s-device-plugin chart 0.20.0 (device plugin v0.20.0). */
  nvidiaDevicePlugin: {
    repo: 'https://nvidia.github.io/k8s-device-plugin',
    chart: 'nvidia-device-plugin',
    version: '0.20.0',
    appVersion: 'v0.20.0',
  },
  /** NVIDIA GPU operator v26.7.0 (the chart sets operator.version from here). */
  gpuOperator: {
    repo: 'https://helm.ngc.nvidia.com/nvidia',
    chart: 'gpu-operator',
    version: 'v26.7.0',
    appVersion: 'v26.7.0',
  },
  /** NVIDIA dcgm-exporter chart 4.8.2 (DCGM 4.5.3): GPU metrics for Prometheus. */
  dcgmExporter: {
    repo: 'https://nvidia.github.io/dcgm-exporter/helm-charts',
    chart: 'dcgm-exporter',
    version: '4.8.2',
    appVersion: '4.5.3-4.8.2',
  },
  /** KubeRay operator chart 1.7.0 (its CRDs are the ones in imports/). */
  kuberayOperator: {
    repo: 'https://ray-project.github.io/kuberay-helm/',
    chart: 'kuberay-operator',
    version: '1.7.0',
    appVersion: 'v1.7.0',
  },
  /**
   * prefect-helm prefect-server and prefect-worker, release 2026.8.18172642
   * (the charts are versioned by release date). The Prefect image is pinned
   * below, not taken from the chart.
   */
  prefectServer: {
    repo: 'https://prefecthq.github.io/prefect-helm',
    chart: 'prefect-server',
    version: '2026.8.18172642',
    appVersion: '3',
  },
  prefectWorker: {
    repo: 'https://prefecthq.github.io/prefect-helm',
    chart: 'prefect-worker',
    version: '2026.8.18172642',
    appVersion: '3',
  },
  /** cert-manager v1.21.1 (jetstack chart; its CRDs, in imports/, are templates, so upgrades update them). */
  certManager: {
    repo: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    version: 'v1.21.1',
    appVersion: 'v1.21.1',
  },
  /** Traefik chart 41.3.0 (Traefik v3.7.11), for generic clusters without an ingress controller. */
  traefik: {
    repo: 'https://traefik.github.io/charts',
    chart: 'traefik',
    version: '41.3.0',
    appVersion: 'v3.7.11',
  },
  /**
   * KServe v0.20.0, three charts from its OCI registry: the CRDs (templates:
   * upgraded with the chart, deleted on uninstall), the controller and its
   * webhooks, and the ClusterServingRuntimes.
   */
  kserveCrd: { repo: 'oci://ghcr.io/kserve/charts', chart: 'kserve-crd', version: 'v0.20.0', appVersion: 'v0.20.0' },
  kserveResources: { repo: 'oci://ghcr.io/kserve/charts', chart: 'kserve-resources', version: 'v0.20.0', appVersion: 'v0.20.0' },
  kserveRuntimeConfigs: { repo: 'oci://ghcr.io/kserve/charts', chart: 'kserve-runtime-configs', version: 'v0.20.0', appVersion: 'v0.20.0' },
  /**
   * Seldon Core v1 operator 1.18.2: Business Source License 1.1 (1.17.1 was
   * the last Apache-2.0 release). Installed only with serving.seldon.licence.
   */
  /**
   * kube-prometheus-stack 88.5.3 (Prometheus Operator v0.93.1, Prometheus
   * v3.14.0, Alertmanager v0.34.0, Grafana 13.2.0). Its CRDs come from
   * prometheusOperatorCrds (templates, so `helm upgrade` upgrades them), its
   * node exporter from prometheusNodeExporter (its own privileged namespace).
   */
  kubePrometheusStack: { repo: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '88.5.3', appVersion: 'v0.93.1' },
  /** prometheus-operator-crds 31.0.1: the v0.93.1 CRDs of kube-prometheus-stack 88.5.3, as templates. */
  prometheusOperatorCrds: { repo: 'https://prometheus-community.github.io/helm-charts', chart: 'prometheus-operator-crds', version: '31.0.1', appVersion: 'v0.93.1' },
  /** prometheus-node-exporter 4.56.1, the version kube-prometheus-stack 88.5.3 depends on. */
  prometheusNodeExporter: { repo: 'https://prometheus-community.github.io/helm-charts', chart: 'prometheus-node-exporter', version: '4.56.1', appVersion: 'v1.12.1' },
  /**
   * Strimzi 1.2.0 (KRaft only; Kafka 4.3.1), the operator chart from its OCI
   * registry. Its CRDs sit in the chart's crds/ folder, which Helm installs
   * once and never upgrades (README, "Versions").
   */
  strimziKafkaOperator: { repo: 'oci://quay.io/strimzi-helm', chart: 'strimzi-kafka-operator', version: '1.2.0', appVersion: '1.2.0' },
  /**
   * Elastic Cloud on Kubernetes 3.5.0 (Elastic License 2.0): its CRDs are
   * templates of the chart's eck-operator-crds subchart (upgraded with it;
   * uninstalling deletes them and every Elasticsearch).
   */
  eckOperator: { repo: 'https://helm.elastic.co', chart: 'eck-operator', version: '3.5.0', appVersion: '3.5.0' },
  /** influxdata influxdb2 chart 2.1.2 (InfluxDB OSS 2.7.4, MIT): the optional time-series store. */
  influxdb2: { repo: 'https://helm.influxdata.com/', chart: 'influxdb2', version: '2.1.2', appVersion: '2.7.4' },
  seldonCoreOperator: { repo: 'https://storage.googleapis.com/seldon-charts', chart: 'seldon-core-operator', version: '1.18.2', appVersion: '1.18.2' },
} as const satisfies Record<string, ChartRef>;

/** The Kafka version Strimzi 1.2.0 runs by default (4.2.0 to 4.3.1 supported). */
export const KAFKA_VERSION = '4.3.1';

/** The drift service's Python packages, exact versions (installed by its init container). */
export const DRIFT_PACKAGES = ['numpy==2.1.3', 'scipy==1.14.1', 'kafka-python==2.1.2', 'boto3==1.35.99'];

/** The Elastic Stack version ECK 3.5.0 runs here (its samples' and e2e matrix's newest): Elasticsearch, Kibana, Logstash, Filebeat. */
export const ELASTIC_STACK_VERSION = '9.4.3';

export const IMAGES = {
  /** k3s-io/helm-controller release v0.17.7 (CRDs in imports/ are from the same tag); paired with klipperHelm below. */
  helmController: { repository: 'docker.io/rancher/helm-controller', tag: 'v0.17.7' },
  /**
   * The job image our helm-controller runs `helm` in (its DEFAULT_JOB_IMAGE):
   * Helm v4.1.4. Must satisfy HELM_CONTROLLER_JOB_IMAGES for the controller
   * above. HelmCharts set no `jobImage`, so k3s and RKE2 keep the job image
   * their own controller is paired with.
   */
  klipperHelm: { repository: 'ghcr.io/k3s-io/klipper-helm', tag: 'v0.13.3-build20260727' },
  /** Node.js for the install gate (cluster/install-gate), a stock image: the program comes in a ConfigMap. */
  installGate: { repository: 'docker.io/library/node', tag: '22.20.0-alpine3.22' },
  /** The sealed-secrets controller; must match CHARTS.sealedSecrets.appVersion. */
  sealedSecretsController: { repository: 'docker.io/bitnami/sealed-secrets-controller', tag: '0.36.6' },
  /**
   * CloudNativePG operand image: operator 1.30.0's own default. The `system`
   * flavour carries barman-cloud, which the in-tree barmanObjectStore backups
   * need (deprecated upstream, removed in 1.31: move to the barman-cloud plugin then).
   */
  postgres: { repository: 'ghcr.io/cloudnative-pg/postgresql', tag: '18.4-system-trixie' },
  /** MinIO server (the tag of the community minio chart 5.4.0). */
  minio: { repository: 'quay.io/minio/minio', tag: 'RELEASE.2024-12-18T13-15-44Z' },
  /** MinIO client, for the bucket and user setup Job (the tag of the community minio chart 5.4.0). */
  mc: { repository: 'quay.io/minio/mc', tag: 'RELEASE.2024-11-21T17-21-54Z' },
  /**
   * MLflow 3.15.1 with the PostgreSQL driver and the S3 client (boto3): the
   * image the community mlflow chart 1.11.5 uses. The official
   * ghcr.io/mlflow/mlflow image has neither.
   */
  mlflow: { repository: 'docker.io/burakince/mlflow', tag: '3.15.1' },
  /** Airflow itself; must match CHARTS.airflow.appVersion. */
  airflow: { repository: 'docker.io/apache/airflow', tag: '3.1.8' },
  /** Airflow chart 1.20.0 defaults, set explicitly. */
  airflowStatsd: { repository: 'quay.io/prometheus/statsd-exporter', tag: 'v0.29.0' },
  airflowRedis: { repository: 'docker.io/library/redis', tag: '7.2-bookworm' },
  /**
   * The model services' cache: Redis 7.2 (BSD-3; Redis 8 is tri-licensed RSALv2/SSPLv1/AGPLv3),
   * the official image, user redis (uid 999, gid 1000 in the alpine variant).
   */
  redis: { repository: 'docker.io/library/redis', tag: '7.2.16-alpine' },
  /** oliver006/redis_exporter (MIT), from scratch, user 59000, port 9121. */
  redisExporter: { repository: 'docker.io/oliver006/redis_exporter', tag: 'v1.88.0' },
  /** locust (MIT), user locust (uid 1000). */
  locust: { repository: 'docker.io/locustio/locust', tag: '2.46.3' },
  /** KServe v0.20.0 images, as the charts of CHARTS.kserve* name them. */
  kserveController: { repository: 'docker.io/kserve/kserve-controller', tag: 'v0.20.0' },
  kserveStorageInitializer: { repository: 'docker.io/kserve/storage-initializer', tag: 'v0.20.0' },
  kserveAgent: { repository: 'docker.io/kserve/agent', tag: 'v0.20.0' },
  kserveRouter: { repository: 'docker.io/kserve/router', tag: 'v0.20.0' },
  kubeRbacProxy: { repository: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.18.0' },
  kserveSklearnServer: { repository: 'docker.io/kserve/sklearnserver', tag: 'v0.20.0' },
  kserveXgbServer: { repository: 'docker.io/kserve/xgbserver', tag: 'v0.20.0' },
  kserveLgbServer: { repository: 'docker.io/kserve/lgbserver', tag: 'v0.20.0' },
  /** Seldon's MLServer (Apache-2.0) as KServe's v2 runtime (mlflow, and sklearn/xgboost/lightgbm over v2). */
  mlserver: { repository: 'docker.io/seldonio/mlserver', tag: '1.5.0' },
  /** kube-prometheus-stack 88.5.3's images (CHARTS.kubePrometheusStack). */
  prometheusOperator: { repository: 'quay.io/prometheus-operator/prometheus-operator', tag: 'v0.93.1' },
  prometheusConfigReloader: { repository: 'quay.io/prometheus-operator/prometheus-config-reloader', tag: 'v0.93.1' },
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.14.0-distroless' },
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.34.0' },
  grafana: { repository: 'docker.io/grafana/grafana', tag: '13.2.0' },
  grafanaSidecar: { repository: 'quay.io/kiwigrid/k8s-sidecar', tag: '2.10.1' },
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.20.0' },
  /** The chart appends `-distroless`. */
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.12.1' },
  eckOperator: { repository: 'docker.elastic.co/eck/eck-operator', tag: '3.5.0' },
  /** prometheus-community elasticsearch_exporter (Apache-2.0): Elasticsearch's health and disk for Prometheus. */
  elasticsearchExporter: { repository: 'quay.io/prometheuscommunity/elasticsearch-exporter', tag: 'v1.8.0' },
  /** Strimzi 1.2.0's operator image; its Kafka images are quay.io/strimzi/kafka:1.2.0-kafka-<KAFKA_VERSION>. */
  strimziOperator: { repository: 'quay.io/strimzi/operator', tag: '1.2.0' },
  /** The drift service's runtime (cluster/drift/drift.py): a stock Python image; its packages are DRIFT_PACKAGES. */
  python: { repository: 'docker.io/library/python', tag: '3.12.8-slim-bookworm' },
  /** InfluxDB OSS 2.7.4 (MIT), the chart's default image; the entrypoint runs as uid 1000 when started so. */
  influxdb: { repository: 'docker.io/library/influxdb', tag: '2.7.4-alpine' },
  /** Chronograf 1.9.4 (AGPL-3.0), run unmodified as a plain Deployment (its chart sets no security context). */
  chronograf: { repository: 'docker.io/library/chronograf', tag: '1.9.4' },
  seldonOperator: { repository: 'docker.io/seldonio/seldon-core-operator', tag: '1.18.2' },
  seldonExecutor: { repository: 'docker.io/seldonio/seldon-core-executor', tag: '1.18.2' },
  gitSync: { repository: 'registry.k8s.io/git-sync/git-sync', tag: 'v4.4.2' },
  /** NVIDIA device plugin; must match CHARTS.nvidiaDevicePlugin.appVersion. */
  nvidiaDevicePlugin: { repository: 'nvcr.io/nvidia/k8s-device-plugin', tag: 'v0.20.0' },
  kuberayOperator: { repository: 'quay.io/kuberay/operator', tag: 'v1.7.0' },
  /** The DCGM exporter; must match CHARTS.dcgmExporter.appVersion. */
  dcgmExporter: { repository: 'nvcr.io/nvidia/k8s/dcgm-exporter', tag: '4.5.3-4.8.2-distroless' },
  /** Ray for the training cluster: the same Ray version on the CPU head and the GPU workers. */
  rayHead: { repository: 'docker.io/rayproject/ray', tag: '2.46.0-py311' },
  rayGpu: { repository: 'docker.io/rayproject/ray', tag: '2.46.0-py311-gpu' },
  /** Prefect 3.6.13 server, and its worker image with the Kubernetes integration. */
  prefect: { repository: 'docker.io/prefecthq/prefect', tag: '3.6.13-python3.11' },
  prefectWorker: { repository: 'docker.io/prefecthq/prefect', tag: '3.6.13-python3.11-kubernetes' },
  /** cert-manager's images (controller, webhook, cainjector, ACME solver); must match CHARTS.certManager. */
  certManagerController: { repository: 'quay.io/jetstack/cert-manager-controller', tag: 'v1.21.1' },
  certManagerWebhook: { repository: 'quay.io/jetstack/cert-manager-webhook', tag: 'v1.21.1' },
  certManagerCainjector: { repository: 'quay.io/jetstack/cert-manager-cainjector', tag: 'v1.21.1' },
  certManagerAcmesolver: { repository: 'quay.io/jetstack/cert-manager-acmesolver', tag: 'v1.21.1' },
  /** Traefik; must match CHARTS.traefik.appVersion. */
  traefik: { repository: 'docker.io/traefik', tag: 'v3.7.11' },
  /**
   * nginx as the authenticating proxy in front of UIs without access control
   * of their own (MLflow): unprivileged (user 101), so it runs restricted.
   */
  authProxy: { repository: 'docker.io/nginxinc/nginx-unprivileged', tag: '1.28.0-alpine' },
  /** AWS CLI v2, for creating buckets on an external S3 endpoint (it understands IRSA and the like). */
  awsCli: { repository: 'docker.io/amazon/aws-cli', tag: '2.15.0' },
} as const satisfies Record<string, ImageRef>;

/**
 * The oldest klipper-helm job image each helm-controller release works with,
 * from the controller's source (pkg/controllers/chart/chart.go) and
 * klipper-helm's `entry` script:
 * - v0.17.4 treats a finished install as current only when the newest Helm
 *   release carries the `helmcharts.helm.cattle.io/configHash` label, which
 *   klipper-helm writes from v0.13.0 (v0.13.0 itself misreads the release:
 *   fixed in v0.13.1). An older image makes the controller upgrade every
 *   chart again and again.
 * - v0.17.7 passes `spec.serverSide` and `spec.forceConflicts` to the job,
 *   which klipper-helm reads from v0.13.3.
 */
export const HELM_CONTROLLER_JOB_IMAGES: readonly { readonly controller: string; readonly minimumJobImage: string }[] = [
  { controller: 'v0.17.4', minimumJobImage: 'v0.13.1' },
  { controller: 'v0.17.7', minimumJobImage: 'v0.13.3' },
];

/** Compares the numeric major.minor.patch of two versions (`v` prefix and suffixes ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? [0, 0, 0, 0]).slice(1).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** Why a helm-controller and a job image do not work together, or undefined when they do. */
export function helmControllerPairProblem(controller: string, jobImage: string): string | undefined {
  const rule = [...HELM_CONTROLLER_JOB_IMAGES].reverse().find((r) => compareVersions(controller, r.controller) >= 0);
  if (rule && compareVersions(jobImage, rule.minimumJobImage) < 0) {
    return `helm-controller ${controller} needs klipper-helm ${rule.minimumJobImage} or later, not ${jobImage}`;
  }
  return undefined;
}
