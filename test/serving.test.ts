/**
 * Model serving: each server, the split, GPU and CPU placement, the
 * object-store identity of the model servers, the handles apps and load
 * tests get, the retrain contract, Seldon's licence, and every error a user
 * can hit in `serving`.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { locustfile, modelEndpoint } from '../lib/components/serving';
import { CHARTS, IMAGES } from '../lib/config/versions';
import { checkObject } from '../lib/policies';
import { K8sObject } from '../lib/policies/pod-specs';
import { renderPlatform } from '../lib/render';
import { envYaml, loadConfig, platformOf, ROOT, userError } from './support';

type Obj = Record<string, any>;

const MLFLOW = 'components:\n  mlflow: {}\n';
const GPU_POOL = `nodePools:
  - name: gpu-a
    kind: gpu
    labels: { example.com/pool: gpu-a }
    taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]
    gpuType: a10g
    maxNodes: 2
`;
const URI = 's3://mlflow/1/abc/artifacts/model';
/** An environment with MLflow (whose bucket models come from) and the given serving section. */
const withServing = (serving: string, extra = '') => envYaml(`${extra}serving:\n${serving}`).replace('components: {}', MLFLOW);
const render = (text: string) => new Map(renderPlatform(platformOf(text, { lenient: true })).map((f) => [f.path, f.object as Obj]));
const shipped = (env: string) => new Map(renderEnvironments(ROOT, [env])[0].files.map((f) => [f.path, f.object as Obj]));
const values = (o: Obj) => yaml.load(o.spec.valuesContent) as Obj;

test('KServe: three pinned charts in order (CRDs, controller, runtimes), Standard mode, no ingress of its own, CRDs kept', () => {
  const objs = shipped('local');
  const chart = (n: string) => objs.get(`kserve/HelmChart.${n}.k8s.yaml`)!;
  const crd = chart('kserve-crd');
  assert.equal(crd.spec.chart, 'oci://ghcr.io/kserve/charts/kserve-crd');
  assert.equal(crd.spec.repo, undefined);
  assert.equal(crd.spec.version, CHARTS.kserveCrd.version);
  assert.equal(crd.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false');
  // Each chart after the install gate of the one before.
  const wave = (o: Obj) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
  assert.deepEqual(['kserve-crd', 'kserve-resources', 'kserve-runtime-configs'].map((n) => wave(chart(n))), [0, 2, 4]);
  assert.deepEqual(['kserve-crd', 'kserve-resources', 'kserve-runtime-configs'].map((n) => wave(objs.get(`kserve/Job.${n}-install-gate.k8s.yaml`)!)), [1, 3, 5]);
  const v = values(chart('kserve-resources')).kserve;
  assert.equal(v.controller.deploymentMode, 'Standard');
  assert.equal(v.controller.gateway.disableIngressCreation, true);
  assert.equal(v.controller.gateway.disableIstioVirtualHost, true);
  assert.equal(v.controller.tag, 'v0.20.0');
  assert.deepEqual(v.storage.containerSecurityContext.seccompProfile, { type: 'RuntimeDefault' });
  const runtimes = values(chart('kserve-runtime-configs')).kserve.servingruntime;
  assert.equal(runtimes.enabled, true);
  assert.equal(runtimes.sklearnserver.tag, 'v0.20.0');
  assert.equal(runtimes.mlserver.image, 'docker.io/seldonio/mlserver');
  assert.equal(runtimes.vllmserver.disabled, true);
});

test('KServe InferenceService: raw deployment, the model from the object store as the read-only model reader, restricted pods', () => {
  const objs = shipped('local');
  const isvc = objs.get('serving/InferenceService.iris.k8s.yaml')!;
  assert.equal(isvc.metadata.annotations['serving.kserve.io/deploymentMode'], 'Standard');
  // One replica, no autoscaler.
  assert.equal(isvc.metadata.annotations['serving.kserve.io/autoscalerClass'], 'none');
  const p = isvc.spec.predictor;
  assert.deepEqual([p.minReplicas, p.maxReplicas], [1, 1]);
  assert.equal(p.serviceAccountName, 'model-reader');
  assert.deepEqual(p.model.modelFormat, { name: 'sklearn' });
  assert.equal(p.model.storageUri, 's3://mlflow/1/models/m-5f2ac1b0e2a84a8f9d0c3b7e6a1d4c2f/artifacts');
  assert.equal(p.labels['mlops-gitops.dev/model-backend'], 'iris');
  assert.deepEqual(p.securityContext.seccompProfile, { type: 'RuntimeDefault' });
  assert.equal(p.nodeSelector, undefined);
  assert.equal(p.tolerations, undefined);
  // The object-store identity: a ServiceAccount whose Secret carries KServe's S3 settings.
  const sa = objs.get('serving/ServiceAccount.model-reader.k8s.yaml')!;
  assert.deepEqual(sa.secrets, [{ name: 'model-reader-s3' }]);
  const secret = objs.get('serving/SealedSecret.model-reader-s3.k8s.yaml')!;
  assert.deepEqual(Object.keys(secret.spec.encryptedData), ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  assert.equal(secret.spec.template.metadata.annotations['serving.kserve.io/s3-endpoint'], 'minio.minio.svc.cluster.local:9000');
  assert.equal(secret.spec.template.metadata.annotations['serving.kserve.io/s3-usehttps'], '0');
  // Its MinIO user reads MLflow's bucket and nothing else.
  const setup = objs.get('minio/ConfigMap.minio-setup.k8s.yaml')!.data;
  assert.deepEqual(JSON.parse(setup['serving.json']).Statement.flatMap((s: Obj) => s.Action), ['s3:GetBucketLocation', 's3:ListBucket', 's3:GetObject']);
});

test('prod: the model servers use the cloud identity (no keys), with KServe\'s S3 settings on the ServiceAccount', () => {
  const objs = shipped('prod');
  assert.ok(!objs.has('serving/SealedSecret.model-reader-s3.k8s.yaml'));
  const sa = objs.get('serving/ServiceAccount.model-reader.k8s.yaml')!;
  assert.equal(sa.metadata.annotations['eks.amazonaws.com/role-arn'], 'arn:aws:iam::123456789012:role/mlops-prod-object-store');
  assert.equal(sa.metadata.annotations['serving.kserve.io/s3-endpoint'], 's3.eu-west-1.amazonaws.com');
  assert.equal(sa.metadata.annotations['serving.kserve.io/s3-usehttps'], '1');
  assert.equal(sa.automountServiceAccountToken, true);
});

test('prod: a GPU model on the A10G pool gets its selector, toleration and GPU limit; nothing else in serving does', () => {
  const objs = shipped('prod');
  const vision = objs.get('serving/InferenceService.vision.k8s.yaml')!.spec.predictor;
  assert.deepEqual(vision.nodeSelector, { 'mlops-gitops.dev/pool': 'gpu-a10g' });
  assert.deepEqual(vision.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  assert.equal(vision.model.resources.limits['nvidia.com/gpu'], '1');
  assert.equal(vision.model.protocolVersion, 'v2', 'MLflow models run on MLServer, which speaks v2');
  for (const [p, o] of objs) {
    if (!p.startsWith('serving/') || p === 'serving/InferenceService.vision.k8s.yaml') continue;
    assert.ok(!JSON.stringify(o).includes('nvidia.com/gpu'), p);
    assert.ok(!JSON.stringify(o).includes('gpu-a10g'), p);
  }
});

test('prod: a 90/10 split between two versions at one host, each version its own InferenceService, one gateway and one Ingress', () => {
  const objs = shipped('prod');
  assert.ok(objs.has('serving/InferenceService.churn-v1.k8s.yaml') && objs.has('serving/InferenceService.churn-v2.k8s.yaml'));
  const conf = objs.get('serving/ConfigMap.churn-gateway.k8s.yaml')!.data['nginx.conf'];
  assert.match(conf, /90% "v1 churn-v1 http:\/\/churn-v1-predictor\.serving\.svc\.cluster\.local:80";\n\s+\* "v2 churn-v2 http:\/\/churn-v2-predictor\.serving\.svc\.cluster\.local:80";/);
  const ingress = objs.get('serving/Ingress.churn.k8s.yaml')!;
  assert.equal(ingress.spec.rules[0].host, 'churn.mlops.example.com');
  assert.deepEqual(ingress.spec.rules[0].http.paths[0].backend.service, { name: 'churn', port: { number: 8080 } });
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['churn.mlops.example.com'], secretName: 'churn-tls' }]);
  assert.equal(ingress.metadata.annotations['cert-manager.io/cluster-issuer'], 'letsencrypt');
  // Two replicas of a model: two gateways, one of which may be disrupted at a time.
  assert.equal(objs.get('serving/Deployment.churn-gateway.k8s.yaml')!.spec.replicas, 2);
  assert.deepEqual(objs.get('serving/PodDisruptionBudget.churn-gateway.k8s.yaml')!.spec.maxUnavailable, 1);
  const svc = objs.get('serving/Service.churn.k8s.yaml')!;
  assert.deepEqual(svc.spec.ports.map((p: Obj) => [p.name, p.port, p.targetPort]), [['http', 80, 'internal'], ['public', 8080, 'public']]);
});

test('team model services: a Deployment, Service, HPA and PDB per version, probes, metrics annotations, restricted pods', () => {
  const objs = shipped('staging');
  for (const v of ['stable', 'canary']) {
    const d = objs.get(`serving/Deployment.churn-${v}.k8s.yaml`)!;
    assert.equal(d.spec.replicas, undefined, 'the HPA owns the count');
    const pod = d.spec.template;
    assert.equal(pod.metadata.annotations['prometheus.io/port'], '8080');
    const c = pod.spec.containers[0];
    assert.equal(c.image, `ghcr.io/example-org/churn-model:${v === 'stable' ? '1.0.0' : '1.1.0'}`);
    assert.equal(c.readinessProbe.httpGet.path, '/health');
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    const hpa = objs.get(`serving/HorizontalPodAutoscaler.churn-${v}.k8s.yaml`)!;
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 4]);
    assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 70);
    assert.ok(objs.has(`serving/PodDisruptionBudget.churn-${v}.k8s.yaml`));
    assert.equal(objs.get(`serving/Service.churn-${v}.k8s.yaml`)!.spec.ports[0].port, 80);
  }
  assert.match(objs.get('serving/ConfigMap.churn-gateway.k8s.yaml')!.data['nginx.conf'], /90% "stable - http:\/\/churn-stable\.serving\.svc\.cluster\.local:80";/);
});

test('Ray Serve: a RayService with the Serve application from config, a CPU head without replicas, workers from zero, zero-downtime upgrades', () => {
  const objs = shipped('staging');
  const rs = objs.get('serving/RayService.sentiment.k8s.yaml')!;
  assert.equal(rs.spec.upgradeStrategy.type, 'NewCluster');
  const serve = yaml.load(rs.spec.serveConfigV2) as Obj;
  assert.deepEqual(serve.applications[0], {
    name: 'sentiment',
    import_path: 'app:deployment',
    route_prefix: '/',
    runtime_env: { working_dir: 'https://github.com/example-org/sentiment-serve/archive/refs/tags/v1.0.0.zip', pip: ['transformers==4.46.3'] },
  });
  const cluster = rs.spec.rayClusterConfig;
  assert.equal(cluster.headGroupSpec.rayStartParams['num-cpus'], '0');
  assert.equal(cluster.workerGroupSpecs[0].minReplicas, 0);
  assert.equal(cluster.workerGroupSpecs[0].replicas, undefined);
  assert.equal(cluster.workerGroupSpecs[0].template.metadata.labels['mlops-gitops.dev/model-backend'], 'sentiment');
  assert.match(objs.get('serving/ConfigMap.sentiment-gateway.k8s.yaml')!.data['nginx.conf'], /http:\/\/sentiment-serve-svc\.serving\.svc\.cluster\.local:8000/);
  // Its own account with a token (KubeRay's autoscaler runs as it and gets a Role bound to it).
  assert.equal(cluster.headGroupSpec.template.spec.serviceAccountName, 'sentiment-ray');
  assert.equal(objs.get('serving/ServiceAccount.sentiment-ray.k8s.yaml')!.automountServiceAccountToken, true);
  // The KubeRay operator runs for Ray Serve even without Ray training.
  assert.ok(objs.has('kuberay-operator/HelmChart.kuberay-operator.k8s.yaml'));
});

test('Ray Serve on a GPU pool: the worker group gets the placement, the head does not', () => {
  const objs = render(withServing(`  models:\n    - name: gen\n      server: rayserve\n      gpu: { gpus: 1 }\n      rayserve: { importPath: "app:d", workingDir: "https://example.com/app.zip" }\n`, GPU_POOL));
  const cluster = objs.get('serving/RayService.gen.k8s.yaml')!.spec.rayClusterConfig;
  assert.equal(cluster.headGroupSpec.template.spec.nodeSelector, undefined);
  assert.deepEqual(cluster.workerGroupSpecs[0].template.spec.nodeSelector, { 'example.com/pool': 'gpu-a' });
  assert.equal(cluster.workerGroupSpecs[0].template.spec.containers[0].resources.limits['nvidia.com/gpu'], '1');
  assert.equal(cluster.workerGroupSpecs[0].groupName, 'gpu-gpu-a');
});

test('the GPU policy covers InferenceServices, RayServices and SeldonDeployments', () => {
  const pools = loadConfig(envYaml(GPU_POOL)).nodePools;
  const gpu = { limits: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '1' }, requests: { cpu: '1', memory: '1Gi' } };
  const container = { name: 'c', image: 'x:1', resources: gpu, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } };
  const objects: K8sObject[] = [
    { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'a' }, spec: { predictor: { model: { ...container, image: undefined } } } },
    { apiVersion: 'ray.io/v1', kind: 'RayService', metadata: { name: 'b' }, spec: { rayClusterConfig: { headGroupSpec: { template: { spec: { containers: [container] } } } } } },
    { apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', metadata: { name: 'c' }, spec: { predictors: [{ componentSpecs: [{ spec: { containers: [container] } }] }] } },
  ];
  for (const o of objects) {
    const v = checkObject(o, { nodePools: pools });
    assert.ok(v.some((x) => x.policy === 'gpu-placement'), `${o.kind}: ${JSON.stringify(v)}`);
    // The operator supplies the runtime's image: a model container without one is not a violation.
    assert.ok(!v.some((x) => x.policy === 'pinned-images'), `${o.kind}`);
  }
});

test('Seldon: only with its licence named, in staging only (non-production use), behind the same gateway; the namespace is baseline with the reason', () => {
  const staging = shipped('staging');
  const chart = staging.get('seldon/HelmChart.seldon-core-operator.k8s.yaml')!;
  assert.equal(chart.spec.version, '1.18.2');
  const v = values(chart);
  assert.equal(v.certManager.enabled, true);
  assert.equal(v.istio.enabled, false);
  assert.deepEqual(v.manager.containerSecurityContext.securityContext.capabilities, { drop: ['ALL'] });
  const sdep = staging.get('serving/SeldonDeployment.fraud.k8s.yaml')!;
  // An MLflow model directory: Seldon's MLflow server (its sklearn server loads only model.joblib).
  assert.equal(sdep.spec.predictors[0].graph.implementation, 'MLFLOW_SERVER');
  assert.equal(sdep.spec.predictors[0].graph.envSecretRefName, 'model-reader-s3');
  // rclone's remote "s3" takes the reader's keys from the environment (env_auth), not anonymous access.
  const reader = staging.get('serving/SealedSecret.model-reader-s3.k8s.yaml')!.spec.template.data;
  assert.equal(reader.RCLONE_CONFIG_S3_ENV_AUTH, 'true');
  assert.equal(reader.RCLONE_CONFIG_S3_ENDPOINT, 'http://minio.minio.svc.cluster.local:9000');
  // Autoscaling through the operator's v2 field.
  const scaled = render(
    withServing(`  models:
    - name: s
      server: seldon
      format: mlflow
      storageUri: ${URI}
      replicas: { min: 1, max: 3 }
  seldon: { licence: BSL-1.1 }
`),
  ).get('serving/SeldonDeployment.s.k8s.yaml')!;
  assert.deepEqual(scaled.spec.predictors[0].componentSpecs[0].hpaSpec.metricsv2, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
  ]);
  assert.equal(scaled.spec.predictors[0].componentSpecs[0].hpaSpec.metrics, undefined);
  assert.match(staging.get('serving/ConfigMap.fraud-gateway.k8s.yaml')!.data['nginx.conf'], /http:\/\/fraud-default\.serving\.svc\.cluster\.local:8000/);
  const app = staging.get('apps/Application.staging-serving.k8s.yaml')!;
  assert.equal(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce'], 'baseline');
  for (const env of ['local', 'prod']) assert.ok(![...shipped(env).keys()].some((p) => p.startsWith('seldon/')), env);
});

test('Streamlit: the app gets the model\'s in-cluster handle and sits behind the same basic auth, websockets passed', () => {
  const objs = shipped('staging');
  const d = objs.get('serving/Deployment.sentiment-demo.k8s.yaml')!.spec.template.spec;
  const env = Object.fromEntries(d.containers[0].env.map((e: Obj) => [e.name, e.value]));
  assert.equal(env.MODEL_URL, 'http://sentiment.serving.svc.cluster.local/');
  assert.equal(env.STREAMLIT_SERVER_ADDRESS, '127.0.0.1');
  assert.equal(d.containers[1].name, 'auth-proxy');
  const conf = objs.get('serving/ConfigMap.sentiment-demo-auth-proxy.k8s.yaml')!.data['nginx.conf'];
  assert.match(conf, /proxy_set_header Upgrade \$http_upgrade;/);
  assert.match(conf, /auth_basic_user_file \/etc\/auth-proxy\/htpasswd\/auth;/);
  assert.equal(objs.get('serving/Ingress.sentiment-demo.k8s.yaml')!.spec.rules[0].host, 'sentiment-demo.staging.mlops.example.com');
  const config = loadConfig(
    withServing(`  models:\n    - name: m\n      server: kserve\n      format: mlflow\n      storageUri: ${URI}\n`),
  );
  assert.deepEqual(modelEndpoint(config, 'm'), {
    model: 'm',
    namespace: 'serving',
    url: 'http://m.serving.svc.cluster.local',
    host: 'm.test.example.com',
    predictPath: '/v2/models/m/infer',
  });
});

test('locust: a suspended CronJob per load test, started with one kubectl line, sending the configured request to the in-cluster handle', () => {
  const objs = shipped('staging');
  const cron = objs.get('serving/CronJob.locust-iris.k8s.yaml')!;
  assert.equal(cron.spec.suspend, true);
  const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
  assert.match(c.image, /^docker\.io\/locustio\/locust:2\.\d+\.\d+$/);
  assert.deepEqual(c.args, ['-f', '/locust/locustfile.py', '--headless', '--users=20', '--spawn-rate=5', '--run-time=5m', '--host=http://iris.serving.svc.cluster.local', '--only-summary']);
  const file = objs.get('serving/ConfigMap.locust-iris.k8s.yaml')!.data['locustfile.py'];
  assert.match(file, /self\.client\.request\("POST", "\/v1\/models\/iris:predict", json=BODY/);
  assert.match(file, /BODY = json\.loads\("\{\\"instances\\":\[\[6\.8,2\.8,4\.8,1\.4\]\]\}"\)/);
  const config = loadConfig(withServing(`  models:\n    - name: m\n      server: service\n      image: r/m:1.0.0\n      loadTest: { request: { path: /ping } }\n`));
  assert.match(locustfile(config.serving.models[0]), /BODY = None\n[\s\S]*request\("GET", "\/ping"/);
});

test('the retrain contract: the pipeline\'s ServiceAccount may patch exactly the models, and Argo CD ignores exactly the field it changes', () => {
  const objs = shipped('staging');
  const role = objs.get('serving/Role.model-rollout.k8s.yaml')!;
  assert.deepEqual(role.rules, [
    { apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], resourceNames: ['iris'], verbs: ['get', 'patch'] },
  ]);
  assert.deepEqual(objs.get('serving/RoleBinding.model-rollout.k8s.yaml')!.subjects, [{ kind: 'ServiceAccount', name: 'airflow-worker', namespace: 'airflow' }]);
  const app = objs.get('apps/Application.staging-serving.k8s.yaml')!;
  assert.deepEqual(app.spec.ignoreDifferences, [
    { group: 'serving.kserve.io', kind: 'InferenceService', name: 'iris', jqPathExpressions: ['.spec.predictor.model.storageUri'] },
  ]);
  // A team service that loads its files from the object store reads the URI from its pod's annotation.
  const objs2 = render(
    withServing(`  models:\n    - name: m\n      server: service\n      image: r/m:1.0.0\n      storageUri: ${URI}\n`).replace('mlflow: {}', 'mlflow: {}\n  airflow:\n    dags:\n      repo: https://git.example.com/org/dags.git'),
  );
  const d = objs2.get('serving/Deployment.m-v1.k8s.yaml')!.spec.template;
  assert.equal(d.metadata.annotations['mlops-gitops.dev/model-uri'], URI);
  assert.deepEqual(d.spec.containers[0].env.find((e: Obj) => e.name === 'MODEL_URI').valueFrom, { fieldRef: { fieldPath: "metadata.annotations['mlops-gitops.dev/model-uri']" } });
  assert.deepEqual(objs2.get('serving/Role.model-rollout.k8s.yaml')!.rules, [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['m-v1'], verbs: ['get', 'patch'] }]);
});

test('NetworkPolicies: the ingress controller reaches the public ports, consumers the gateways, only gateways the backends', () => {
  const objs = shipped('local');
  const pol = (n: string) => objs.get(`serving/NetworkPolicy.${n}.k8s.yaml`)!.spec;
  assert.deepEqual(pol('deny-all-ingress'), { podSelector: {}, policyTypes: ['Ingress'] });
  assert.deepEqual(pol('allow-public').ingress[0].ports.map((p: Obj) => p.port), [8080]);
  // Only gateways and apps' proxies: the model containers listen on 8080 too and must not be reached around the gateway.
  assert.deepEqual(pol('allow-public').podSelector, { matchLabels: { 'mlops-gitops.dev/public': 'true' } });
  assert.equal(objs.get('serving/Deployment.iris-gateway.k8s.yaml')!.spec.template.metadata.labels['mlops-gitops.dev/public'], 'true');
  assert.equal(objs.get('serving/Deployment.churn-v1.k8s.yaml')!.spec.template.metadata.labels['mlops-gitops.dev/public'], undefined);
  assert.equal(objs.get('serving/InferenceService.iris.k8s.yaml')!.spec.predictor.labels['mlops-gitops.dev/public'], undefined);
  assert.deepEqual(pol('allow-internal').ingress[0].ports, [{ protocol: 'TCP', port: 8081 }]);
  // Apps and load tests (this namespace) and Airflow's tasks (evaluation, the retrain loop) use the handles.
  assert.deepEqual(pol('allow-internal').ingress[0].from, [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airflow' } } }]);
  assert.deepEqual(pol('allow-gateways').podSelector, { matchExpressions: [{ key: 'mlops-gitops.dev/model-backend', operator: 'Exists' }] });
  assert.deepEqual(pol('allow-gateways').ingress[0].from, [{ podSelector: { matchExpressions: [{ key: 'mlops-gitops.dev/model-gateway', operator: 'Exists' }] } }]);
});

test('the model reader exists for every model server, also when no model reads the object store', () => {
  const objs = render(withServing('  models:\n    - name: m\n      server: service\n      image: r/m:1.0.0\n'));
  assert.equal(objs.get('serving/Deployment.m-v1.k8s.yaml')!.spec.template.spec.serviceAccountName, 'model-reader');
  assert.deepEqual(objs.get('serving/ServiceAccount.model-reader.k8s.yaml')!.automountServiceAccountToken, false);
  assert.ok(!objs.has('serving/SealedSecret.model-reader-s3.k8s.yaml'));
});

test('serving errors name the field and the fix', () => {
  const model = (body: string) => `  models:\n    - name: m\n${body}`;
  const cases: [string, RegExp][] = [
    [withServing(model('      server: triton\n')), /\/serving\/models\/0\/server: string "triton" is not one of "kserve", "rayserve", "seldon", "service"/],
    [withServing(model(`      server: kserve\n      storageUri: ${URI}\n`)), /\/serving\/models\/0: a kserve model needs its format/],
    [withServing(model('      server: kserve\n      format: sklearn\n')), /\/serving\/models\/0: a kserve model loads its files from storageUri/],
    [withServing(model('      server: service\n')), /\/serving\/models\/0: a team model service runs its own image/],
    [withServing(model('      server: service\n      image: r/m:latest\n')), /\/serving\/models\/0\/image: .* not a container image with an exact tag/],
    [withServing(model('      server: rayserve\n')), /\/serving\/models\/0: a rayserve model needs its Serve application/],
    [withServing(model(`      server: kserve\n      format: sklearn\n      storageUri: ${URI}\n      gpu: { gpus: 1 }\n`)), /\/serving\/models\/0\/gpu: this model asks for a GPU, but the environment has no GPU node pool/],
    [withServing(model('      server: kserve\n      format: sklearn\n      storageUri: s3://other-bucket/model\n')), /\/serving\/models\/0\/storageUri: s3:\/\/other-bucket\/model is not in a bucket of the platform's object store \(mlflow\)/],
    [
      withServing(model('      server: service\n      versions:\n        - { name: a, image: "r/m:1.0.0", weight: 60 }\n        - { name: b, image: "r/m:2.0.0", weight: 30 }\n')),
      /\/serving\/models\/0\/versions: the weights sum to 90, not 100/,
    ],
    [
      withServing(model('      server: service\n      versions:\n        - { name: a, image: "r/m:1.0.0", weight: 50 }\n        - { name: a, image: "r/m:2.0.0", weight: 50 }\n')),
      /\/serving\/models\/0\/versions\/1\/name: version "a" appears twice/,
    ],
    [withServing(`${model('      server: service\n      image: r/m:1.0.0\n')}    - name: m\n      server: service\n      image: r/m:1.0.0\n`), /\/serving\/models\/1\/name: name "m" is already used by \/serving\/models\/0/],
    [
      withServing(`${model('      server: service\n      image: r/m:1.0.0\n      host: x.test.example.com\n')}    - name: n\n      server: service\n      image: r/m:1.0.0\n      host: x.test.example.com\n`),
      /\/serving\/models\/1\/host: host x\.test\.example\.com is already served by \/serving\/models\/0/,
    ],
    [withServing('  models:\n    - name: mlflow\n      server: service\n      image: r/m:1.0.0\n'), /\/serving\/models\/0\/name: host mlflow\.test\.example\.com is the platform's own UI/],
    [withServing(model(`      server: seldon\n      format: sklearn\n      storageUri: ${URI}\n`)), /\/serving\/models\/0\/server: Seldon Core 1\.18 and later is under the Business Source License 1\.1/],
    [withServing(`${model('      server: service\n      image: r/m:1.0.0\n')}  seldon:\n    licence: BSL-1.1\n`), /\/serving\/seldon: the Seldon licence is accepted, but no model uses server: seldon/],
    [withServing(`${model('      server: service\n      image: r/m:1.0.0\n')}  seldon:\n    licence: Apache-2.0\n`), /\/serving\/seldon\/licence: string "Apache-2.0" is not "BSL-1.1"/],
    [withServing(`${model('      server: service\n      image: r/m:1.0.0\n')}  redis: {}\n`), /\/serving\/redis: Redis runs as the cache of model services with cache: true/],
    [withServing(`${model('      server: service\n      image: r/m:1.0.0\n')}  apps:\n    - { name: ui, image: "r/ui:1.0.0", model: nope }\n`), /\/serving\/apps\/0\/model: model "nope" is not in serving\.models/],
    [withServing(model('      server: service\n      image: r/m:1.0.0\n      replicas: { min: 3, max: 2 }\n')), /\/serving\/models\/0\/replicas: min 3 is above max 2/],
    [withServing(model('      server: rayserve\n      rayserve: { importPath: "a:b", workingDir: "s3://mlflow/code.zip" }\n')), /\/serving\/models\/0\/rayserve\/workingDir: the Ray image's boto3 cannot take the in-cluster MinIO endpoint/],
    [withServing(model('      server: rayserve\n      image: r/m:1.0.0\n      rayserve: { importPath: "a:b", workingDir: "https://x/code.zip" }\n')), /\/serving\/models\/0\/image: image does not apply to rayserve/],
    [withServing(model(`      server: kserve\n      format: sklearn\n      storageUri: ${URI}\n      port: 9000\n`)), /\/serving\/models\/0\/port: port applies to another server, not kserve/],
    [withServing(model(`      server: seldon\n      format: lightgbm\n      storageUri: ${URI}\n`) + '  seldon: { licence: BSL-1.1 }\n'), /\/serving\/models\/0\/format: Seldon Core has no LightGBM server/],
    [withServing(model('      server: service\n      image: r/m:1.0.0\n      targetCpuUtilization: 50\n')), /\/serving\/models\/0\/targetCpuUtilization: the autoscaling target applies when replicas can change/],
    [
      withServing(model('      server: service\n      versions:\n        - { name: gateway, image: "r/m:1.0.0", weight: 50 }\n        - { name: b, image: "r/m:2.0.0", weight: 50 }\n')),
      /\/serving\/models\/0\/versions\/0\/name: version name "gateway" is the name of the model's gateway/,
    ],
    [
      withServing(`${model('      server: service\n      image: r/m:1.0.0\n')}    - name: m-v1\n      server: service\n      image: r/m:1.0.0\n`),
      /\/serving\/models\/1\/name: it would name objects "m-v1", as \/serving\/models\/0 does/,
    ],
  ];
  const irsa = (annotations: string) =>
    `objectStore:\n  external:\n    endpoint: https://s3.eu-west-1.amazonaws.com\n    region: eu-west-1\n    bucketPrefix: acme-\n    credentials: serviceAccount\n    serviceAccountAnnotations: { ${annotations} }\n`;
  cases.push(
    [withServing(model('      server: kserve\n      format: mlflow\n      storageUri: s3://acme-mlflow/m\n'), irsa('iam.gke.io/gcp-service-account: x@y')), /\/serving\/models\/0\/server: KServe takes S3 settings from a cloud identity only with an IRSA role/],
    [
      withServing(model('      server: seldon\n      format: mlflow\n      storageUri: s3://acme-mlflow/m\n') + '  seldon: { licence: BSL-1.1 }\n', irsa('eks.amazonaws.com/role-arn: arn:aws:iam::1:role/r')),
      /\/serving\/models\/0\/server: Seldon's storage initializer \(rclone\) gets no credentials from a cloud identity/,
    ],
  );
  for (const [text, message] of cases) {
    const err = userError(() => loadConfig(text));
    assert.match(err.message, message, err.message);
    assert.ok(err.problems.every((p) => p.line !== undefined && p.fix), JSON.stringify(err.problems));
  }
});

test('pins that work together: KServe\'s three charts and its images at one release, Seldon\'s operator and executor at its chart\'s', () => {
  const kserve = [CHARTS.kserveCrd, CHARTS.kserveResources, CHARTS.kserveRuntimeConfigs];
  assert.ok(kserve.every((c) => c.version === CHARTS.kserveResources.version && c.appVersion === c.version));
  for (const image of [IMAGES.kserveController, IMAGES.kserveStorageInitializer, IMAGES.kserveAgent, IMAGES.kserveRouter, IMAGES.kserveSklearnServer, IMAGES.kserveXgbServer, IMAGES.kserveLgbServer]) {
    assert.equal(image.tag, CHARTS.kserveResources.appVersion, image.repository);
  }
  assert.equal(IMAGES.seldonOperator.tag, CHARTS.seldonCoreOperator.appVersion);
  assert.equal(IMAGES.seldonExecutor.tag, CHARTS.seldonCoreOperator.appVersion);
  // The RayService's Ray version is the image's.
  const rs = shipped('staging').get('serving/RayService.sentiment.k8s.yaml')!;
  assert.equal(`${rs.spec.rayClusterConfig.rayVersion}-py311`, IMAGES.rayHead.tag);
});
