/** GPU node pools: one placement model, the GPU policy, Karpenter and cluster-autoscaler output, the training path. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { NodePoolConfig } from '../lib/config/environment';
import { NO_GPU, place } from '../lib/gpu/placement';
import { nodeGroupTagsMarkdown } from '../lib/components/gpu';
import { checkObject, checkObjects } from '../lib/policies';
import { K8sObject } from '../lib/policies/pod-specs';
import { renderPlatform } from '../lib/render';
import { envYaml, loadConfig, platformOf, ROOT, userError } from './support';

type Obj = Record<string, any>;

const GPU_POOL = `  - name: gpu-a
    kind: gpu
    labels: { example.com/pool: gpu-a }
    taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]
    gpuType: a10g
    gpusPerNode: 2
    maxNodes: 3
`;
const CPU_POOL = `  - name: cpu
    kind: cpu
    labels: { example.com/pool: cpu }
    maxNodes: 5
`;
const withPools = (pools: string, extra = '') => envYaml(`nodePools:\n${pools}${extra}`);
const pools = (): readonly NodePoolConfig[] => loadConfig(withPools(GPU_POOL + CPU_POOL)).nodePools;

test('placement: no request, no selector, no toleration, no GPU', () => {
  assert.deepEqual(place(pools()), NO_GPU);
});

test('placement: a GPU request gets the pool labels, a toleration per taint and the GPU limit', () => {
  const p = place(pools(), { gpus: 2, gpuType: 'a10g' });
  assert.equal(p.pool?.name, 'gpu-a');
  assert.deepEqual(p.nodeSelector, { 'example.com/pool': 'gpu-a' });
  assert.deepEqual(p.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  assert.deepEqual(p.limits, { 'nvidia.com/gpu': '2' });
  assert.equal(place(pools(), { gpus: 1, pool: 'gpu-a' }).pool?.name, 'gpu-a');
});

test('placement errors: unknown pool, a CPU pool, no GPU pool, a GPU type nobody offers, too many GPUs', () => {
  assert.throws(() => place(pools(), { gpus: 1, pool: 'nope' }), /does not exist/);
  assert.throws(() => place(pools(), { gpus: 1, pool: 'cpu' }), /has no GPUs/);
  assert.throws(() => place([], { gpus: 1 }), /no GPU node pool/);
  assert.throws(() => place(pools(), { gpus: 1, gpuType: 'h100' }), /"h100", which no GPU pool offers \(offered: a10g\)/);
  assert.throws(() => place(pools(), { gpus: 4 }), /more than any matching pool/);
});

test('config errors of GPU requests name the field and the fix', () => {
  const airflow = (req: string) =>
    `\ncomponents:\n  airflow:\n    dags: { repo: "https://git.example.com/dags.git" }\n    gpuTraining: ${req}\n`;
  const cases: [string, RegExp][] = [
    [envYaml().replace('components: {}', airflow('{ gpus: 1 }').trim()), /no GPU node pool/],
    [withPools(GPU_POOL).replace('components: {}', airflow('{ gpus: 1, pool: missing }').trim()), /"missing", which does not exist/],
    [withPools(GPU_POOL).replace('components: {}', airflow('{ gpus: 1, gpuType: h100 }').trim()), /no GPU pool offers/],
  ];
  for (const [text, expected] of cases) {
    const err = userError(() => loadConfig(text));
    const p = err.problems.find((x) => x.path === '/components/airflow/gpuTraining');
    assert.ok(p, err.message);
    assert.match(p.message, expected);
    assert.equal(typeof p.line, 'number');
  }
});

test('config errors of node pools', () => {
  const cases: [string, string, RegExp][] = [
    [withPools(GPU_POOL.replace('example.com/pool: gpu-a', 'nvidia.com/gpu.present: "true"')), '/nodePools/0/labels/nvidia.com~1gpu.present', /feature discovery/],
    [withPools(GPU_POOL.replace(/    taints:.*\n/, '')), '/nodePools/0/taints', /no NoSchedule taint/],
    [withPools(GPU_POOL + GPU_POOL), '/nodePools/1/name', /already used/],
    [withPools(CPU_POOL.replace('maxNodes: 5', 'maxNodes: 2\n    minNodes: 3')), '/nodePools/0/minNodes', /above maxNodes/],
    [withPools(CPU_POOL + '    gpuType: t4\n'), '/nodePools/0', /sets GPU fields/],
    [withPools(CPU_POOL.replace('maxNodes: 5', 'maxNodes: 5\n    minNodes: 1')).replace('ingressClass: traefik', 'ingressClass: traefik\n  autoscaler: karpenter'), '/nodePools/0/minNodes', /no minimum/],
    [envYaml('gpu:\n  plugin: gpu-operator\n'), '/gpu', /without a GPU node pool/],
    [withPools(GPU_POOL.replace('kind: gpu', 'kind: tpu')), '/nodePools/0/kind', /"cpu", "gpu"/],
  ];
  for (const [text, pointer, expected] of cases) {
    const err = userError(() => loadConfig(text));
    const p = err.problems.find((x) => x.path === pointer);
    assert.ok(p, `${pointer} in ${err.message}`);
    assert.match(`${p.message} ${p.fix ?? ''}`, expected, pointer);
  }
});

function pod(spec: Obj): K8sObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'train', namespace: 'ml' }, spec: { template: { spec } } };
}
const container = (limits: Obj = {}) => ({
  name: 'c',
  image: 'x:1',
  resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi', ...limits } },
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
});
const gpuPolicy = (o: K8sObject) => checkObject(o, { nodePools: pools() }).filter((v) => v.policy === 'gpu-placement');

test('GPU policy: a placed GPU pod passes; a GPU pod without the selector or toleration fails; a CPU pod tolerating the taint fails', () => {
  const p = place(pools(), { gpus: 1 });
  const base = { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } };
  assert.deepEqual(gpuPolicy(pod({ ...base, nodeSelector: p.nodeSelector, tolerations: p.tolerations, containers: [container(p.limits)] })), []);
  assert.match(gpuPolicy(pod({ ...base, containers: [container(p.limits)] }))[0].message, /does not select a GPU pool/);
  assert.match(gpuPolicy(pod({ ...base, nodeSelector: p.nodeSelector, containers: [container(p.limits)] }))[0].message, /does not select a GPU pool/);
  assert.match(gpuPolicy(pod({ ...base, tolerations: [{ operator: 'Exists' }], containers: [container()] }))[0].message, /tolerates the taints of GPU pool "gpu-a"/);
  assert.deepEqual(gpuPolicy(pod({ ...base, containers: [container()] })), []);
  // An explicit exemption, with a reason, is the only way around it.
  const bad = pod({ ...base, containers: [container(p.limits)] });
  assert.deepEqual(checkObjects([bad], [{ policy: 'gpu-placement', object: 'Job/ml/train', reason: 'test' }], { nodePools: pools() }), []);
});

test('GPU policy runs at synth over every pod template', () => {
  const platform = platformOf(withPools(GPU_POOL).replace('distribution: k3s', 'distribution: generic'));
  const deployment = platform.app.node.findAll().find((c) => c.node.path === 'helm-controller/deployment/Resource');
  (deployment as unknown as { addJsonPatch(p: unknown): void }).addJsonPatch(
    (require('cdk8s') as typeof import('cdk8s')).JsonPatch.add('/spec/template/spec/tolerations', [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]),
  );
  assert.throws(() => renderPlatform(platform), /tolerates the taints of GPU pool "gpu-a" \[gpu-placement\]/);
});

function shipped(env: string): Map<string, Obj> {
  const [r] = renderEnvironments(ROOT, [env]);
  return new Map(r.files.map((f) => [f.path, f.object as Obj]));
}

test('local has no GPU pool and no GPU component', () => {
  const objs = shipped('local');
  assert.ok(![...objs.keys()].some((p) => p.startsWith('gpu/') || p.startsWith('node-pools/')));
  assert.doesNotMatch([...objs.values()].map((o) => JSON.stringify(o)).join(''), /nvidia\.com\/gpu/);
});

test('the device plugin runs only on GPU pools', () => {
  const objs = shipped('prod');
  const values = yaml.load(objs.get('gpu/HelmChart.nvidia-device-plugin.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.deepEqual(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
    { matchExpressions: [{ key: 'mlops-gitops.dev/pool', operator: 'In', values: ['gpu-a10g'] }] },
  ]);
  assert.deepEqual(values.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  assert.equal(values.image.tag, 'v0.20.0');
  const app = objs.get('apps/Application.prod-gpu.k8s.yaml')!;
  assert.equal(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
});

test('the GPU operator instead, by config', () => {
  const objs = new Map(renderPlatform(platformOf(withPools(GPU_POOL, 'gpu:\n  plugin: gpu-operator\n'))).map((f) => [f.path, f.object as Obj]));
  const chart = objs.get('gpu/HelmChart.gpu-operator.k8s.yaml')!;
  assert.equal(chart.spec.version, 'v26.7.0');
  const values = yaml.load(chart.spec.valuesContent) as Obj;
  assert.equal(values.operator.version, 'v26.7.0');
  assert.equal(values.daemonsets.tolerations[0].key, 'nvidia.com/gpu');
});

test('Karpenter: one NodePool per pool, labels, taints and the GPU model known up front, node and GPU limits, training never disrupted', () => {
  const objs = shipped('prod');
  const gpu = objs.get('node-pools/NodePool.gpu-a10g.k8s.yaml')!;
  assert.equal(gpu.metadata.namespace, undefined, 'cluster-scoped');
  assert.deepEqual(gpu.spec.template.metadata.labels, { 'mlops-gitops.dev/pool': 'gpu-a10g' });
  assert.deepEqual(gpu.spec.template.spec.taints, [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
  // Limits as Kubernetes quantities (strings): maxNodes nodes, and their GPUs.
  assert.deepEqual(gpu.spec.limits, { nodes: '4', 'nvidia.com/gpu': '4' });
  // Only empty GPU nodes are consolidated, and they never expire (v1 expiry is forceful): training is never moved.
  assert.deepEqual(gpu.spec.disruption, { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m' });
  assert.equal(gpu.spec.template.spec.expireAfter, 'Never');
  assert.deepEqual(
    gpu.spec.template.spec.requirements.find((r: Obj) => r.key === 'karpenter.k8s.aws/instance-gpu-name'),
    { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['a10g'] },
  );
  assert.deepEqual(gpu.spec.template.spec.nodeClassRef, { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
  const cpu = objs.get('node-pools/NodePool.general.k8s.yaml')!;
  assert.deepEqual(cpu.spec.limits, { nodes: '10' }, 'maxNodes holds for CPU pools too');
  assert.equal(cpu.spec.disruption.consolidationPolicy, 'WhenEmptyOrUnderutilized');
  assert.equal(cpu.spec.template.spec.expireAfter, undefined);
  assert.equal(cpu.spec.template.spec.taints.length, 0);
  const project = objs.get('bootstrap/03-root/AppProject.mlops-prod.k8s.yaml')!;
  assert.ok(project.spec.clusterResourceWhitelist.some((k: Obj) => k.group === 'karpenter.sh' && k.kind === 'NodePool'));
});

test('cluster-autoscaler: the node-group tags are written next to the manifests', () => {
  const [r] = renderEnvironments(ROOT, ['staging']);
  assert.ok(!r.files.some((f) => f.path.startsWith('node-pools/')), 'no Karpenter objects');
  const doc = r.documents.find((d) => d.path === 'node-groups.md')!;
  assert.match(doc.content, /\| gpu-t4 \| 0 \| 2 \| `k8s.io\/cluster-autoscaler\/node-template\/label\/mlops-gitops.dev\/pool` \| `gpu-t4` \|/);
  assert.match(doc.content, /node-template\/taint\/nvidia.com\/gpu` \| `true:NoSchedule`/);
  assert.match(doc.content, /node-template\/resources\/nvidia.com\/gpu` \| `1`/);
  // Auto-discovery tags, and the accelerator label that stops over-scaling GPU groups.
  assert.match(doc.content, /\| gpu-t4 \| 0 \| 2 \| `k8s.io\/cluster-autoscaler\/enabled` \| `true` \|/);
  assert.match(doc.content, /\| gpu-t4 \| 0 \| 2 \| `k8s.io\/cluster-autoscaler\/staging` \| `owned` \|/);
  assert.match(doc.content, /node-template\/label\/k8s.amazonaws.com\/accelerator` \| `nvidia-t4`/);
  assert.match(doc.content, /the node group itself must apply the same labels and taints/);
});

test('the training path: prod Airflow tasks get the GPU placement contract; nothing else tolerates GPUs', () => {
  const objs = shipped('prod');
  const values = yaml.load(objs.get('airflow/HelmChart.airflow.k8s.yaml')!.spec.valuesContent) as Obj;
  const env = Object.fromEntries(values.env.map((e: Obj) => [e.name, e.value]));
  assert.deepEqual(JSON.parse(env.MLOPS_GPU_PLACEMENT), {
    pool: 'gpu-a10g',
    nodeSelector: { 'mlops-gitops.dev/pool': 'gpu-a10g' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    // Whole resources: a pod_override replaces the base container's, so a GPU limit alone would drop CPU and memory.
    resources: {
      requests: { cpu: '500m', memory: '1Gi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' },
    },
    annotations: { 'karpenter.sh/do-not-disrupt': 'true' },
    priorityClassName: 'mlops-training',
  });
  assert.ok(env.MLFLOW_TRACKING_URI && env.AIRFLOW_CONN_OBJECT_STORE, 'tasks have MLflow and the object store');
  assert.equal(values.workers.tolerations, undefined, 'ordinary tasks do not tolerate the GPU taint');
  for (const env of ['staging', 'local']) {
    const v = yaml.load(shipped(env).get('airflow/HelmChart.airflow.k8s.yaml')!.spec.valuesContent) as Obj;
    assert.ok(!v.env.some((e: Obj) => e.name === 'MLOPS_GPU_PLACEMENT'), env);
  }
});

test('Ray training: the head on CPU nodes, the GPU worker group on the GPU pool from zero', () => {
  const objs = shipped('prod');
  const cluster = objs.get('ray/RayCluster.training.k8s.yaml')!;
  assert.equal(cluster.apiVersion, 'ray.io/v1');
  assert.equal(cluster.spec.enableInTreeAutoscaling, true);
  const head = cluster.spec.headGroupSpec.template.spec;
  assert.equal(head.tolerations, undefined);
  assert.equal(head.nodeSelector, undefined);
  assert.equal(head.containers[0].resources.limits['nvidia.com/gpu'], undefined);
  const [workers] = cluster.spec.workerGroupSpecs;
  assert.equal(workers.minReplicas, 0);
  assert.equal(workers.replicas, undefined, 'Ray\'s autoscaler owns the replicas');
  assert.equal(workers.maxReplicas, 4);
  // The autoscaler's changes do not make the Application OutOfSync, so self-heal does not revert them.
  const app = objs.get('apps/Application.prod-ray.k8s.yaml')!;
  assert.deepEqual(app.spec.ignoreDifferences, [
    { group: 'ray.io', kind: 'RayCluster', jqPathExpressions: ['.spec.workerGroupSpecs[].replicas', '.spec.workerGroupSpecs[].scaleStrategy'] },
  ]);
  // Not RespectIgnoreDifferences: Argo CD v3.4 would merge the live workerGroupSpecs array whole into every sync,
  // and template changes from git would never reach the workers.
  assert.ok(!app.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'));
  // Guaranteed QoS and never moved by Karpenter (the workers); the log volume the autoscaler sidecar shares (the head).
  const worker = workers.template.spec.containers[0];
  assert.deepEqual(worker.resources.requests, worker.resources.limits);
  assert.equal(workers.template.metadata.annotations['karpenter.sh/do-not-disrupt'], 'true');
  assert.equal(cluster.spec.headGroupSpec.template.metadata, undefined, 'the head would pin a CPU node for good');
  assert.equal(workers.template.spec.priorityClassName, 'mlops-training');
  assert.equal(cluster.spec.headGroupSpec.template.spec.priorityClassName, undefined, 'the head coordinates: platform priority');
  const priority = objs.get('gpu/PriorityClass.mlops-training.k8s.yaml')!;
  assert.equal(priority.value, -100, 'below every platform pod (default 0)');
  assert.equal(priority.preemptionPolicy, 'Never');
  assert.equal(priority.metadata.namespace, undefined);
  for (const t of [cluster.spec.headGroupSpec.template, workers.template]) {
    assert.ok(t.spec.volumes.some((v: Obj) => v.name === 'ray-logs'));
    assert.ok(t.spec.containers[0].volumeMounts.some((m: Obj) => m.name === 'ray-logs' && m.mountPath === '/tmp/ray'));
  }
  assert.deepEqual(workers.template.spec.nodeSelector, { 'mlops-gitops.dev/pool': 'gpu-a10g' });
  assert.equal(workers.template.spec.containers[0].resources.limits['nvidia.com/gpu'], '1');
  assert.ok(objs.has('kuberay-operator/HelmChart.kuberay-operator.k8s.yaml'));
  // The policy sees into RayCluster templates: drop the worker toleration and it fails.
  const broken = JSON.parse(JSON.stringify(cluster));
  delete broken.spec.workerGroupSpecs[0].template.spec.tolerations;
  const nodePools = loadConfig(require('node:fs').readFileSync(require('node:path').join(ROOT, 'environments/prod.yaml'), 'utf8'), 'environments/prod.yaml').nodePools;
  assert.match(checkObject(broken, { nodePools }).map((v) => v.message).join('\n'), /does not select a GPU pool/);
});

test('Ray training without a GPU pool is a config error', () => {
  const err = userError(() => loadConfig(envYaml().replace('components: {}', 'components:\n  ray:\n    training: { gpus: 1 }')));
  const p = err.problems.find((x) => x.path === '/components/ray/training');
  assert.ok(p);
  assert.match(p.message, /no GPU node pool/);
});

test('GPU pool and Ray sizing mistakes are config errors: GPU model, GPUs per node, a worker larger than a node', () => {
  const pool = (extra: string) =>
    withPools(
      `  - name: gpu\n    kind: gpu\n    labels: { mlops-gitops.dev/pool: gpu }\n    taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]\n    maxNodes: 2\n${extra}`,
    );
  const cases: [string, string, RegExp][] = [
    [pool('    gpuType: a10g\n    instanceTypes: [g4dn.xlarge]\n'), '/nodePools/0/instanceTypes/0', /g4dn.xlarge carries t4 GPUs, but the pool declares gpuType "a10g"/],
    [pool('    gpuType: a10g\n    gpusPerNode: 1\n    instanceTypes: [g5.12xlarge]\n'), '/nodePools/0/instanceTypes/0', /g5.12xlarge has 4 GPUs, but the pool declares gpusPerNode: 1/],
    [
      pool('    gpuType: t4\n    instanceTypes: [g4dn.xlarge]\n').replace('components: {}', 'components:\n  ray:\n    training:\n      gpus: 1\n      workerResources:\n        requests: { cpu: "4", memory: 16Gi }\n        limits: { cpu: "4", memory: 16Gi }'),
      '/components/ray/training/workerResources',
      /more than a node of pool "gpu" can give a pod \(g4dn.xlarge: about 3.5 CPU, 13.1Gi\)/,
    ],
  ];
  for (const [text, pointer, message] of cases) {
    const err = userError(() => loadConfig(text));
    const p = err.problems.find((x) => x.path === pointer);
    assert.ok(p, `${pointer} in ${err.message}`);
    assert.match(p.message, message);
  }
  // The defaults fit the smallest GPU instances.
  loadConfig(pool('    gpuType: t4\n    instanceTypes: [g4dn.xlarge]\n').replace('components: {}', 'components:\n  ray:\n    training: { gpus: 1 }'));
});

test('GPU nodes get feature discovery labels and the DCGM exporter, both only where GPUs are', () => {
  const objs = shipped('prod');
  const plugin = yaml.load(objs.get('gpu/HelmChart.nvidia-device-plugin.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.equal(plugin.gfd.enabled, true);
  assert.equal(plugin.nfd.enabled, true);
  // node-feature-discovery's workers tolerate the pools' own taints (the chart's default is nvidia.com/gpu=present).
  assert.deepEqual(plugin.nfd.worker.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  assert.equal(plugin.config, undefined, 'no time-slicing unless asked');
  const dcgm = objs.get('gpu/HelmChart.dcgm-exporter.k8s.yaml')!;
  assert.equal(dcgm.spec.repo, 'https://nvidia.github.io/dcgm-exporter/helm-charts');
  assert.equal(dcgm.spec.version, '4.8.2');
  const v = yaml.load(dcgm.spec.valuesContent) as Obj;
  assert.equal(`${v.image.repository}:${v.image.tag}`, 'nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless');
  assert.deepEqual(v.affinity, plugin.affinity, 'GPU pools only');
  assert.deepEqual(v.tolerations, plugin.tolerations);
  assert.equal(v.priorityClassName, '', 'not a system priority: GKE admits those only in kube-system');
  assert.equal(v.serviceMonitor.enabled, true, 'prod runs the platform\'s Prometheus: the exporter gets its ServiceMonitor');
  assert.ok(v.resources.limits.memory);
  // With the Prometheus Operator, its ServiceMonitor; and metrics and discovery can be turned off.
  const withOperator = new Map(renderPlatform(platformOf(withPools(GPU_POOL).replace('ingressClass: traefik', 'ingressClass: traefik\n  prometheusOperator: true'))).map((f) => [f.path, f.object as Obj]));
  assert.equal((yaml.load(withOperator.get('gpu/HelmChart.dcgm-exporter.k8s.yaml')!.spec.valuesContent) as Obj).serviceMonitor.enabled, true);
  const off = new Map(renderPlatform(platformOf(withPools(GPU_POOL, 'gpu:\n  metrics: false\n  featureDiscovery: false\n'))).map((f) => [f.path, f.object as Obj]));
  assert.ok(!off.has('gpu/HelmChart.dcgm-exporter.k8s.yaml'));
  assert.deepEqual((yaml.load(off.get('gpu/HelmChart.nvidia-device-plugin.k8s.yaml')!.spec.valuesContent) as Obj).nfd, { enabled: false });
});

test('time-slicing: each GPU advertised as N, a request for more than one refused, the autoscaler told the shared count', () => {
  const text = withPools(GPU_POOL, 'gpu:\n  timeSlicing: { replicas: 4 }\n');
  const objs = new Map(renderPlatform(platformOf(text)).map((f) => [f.path, f.object as Obj]));
  const plugin = yaml.load(objs.get('gpu/HelmChart.nvidia-device-plugin.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.equal(plugin.config.default, 'default');
  assert.deepEqual(yaml.load(plugin.config.map.default), {
    version: 'v1',
    sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
  });
  const tagged = nodeGroupTagsMarkdown(loadConfig(text));
  assert.match(tagged, /node-template\/resources\/nvidia.com\/gpu` \| `8`/, "2 GPUs per node, 4 slices each");
  const operator = new Map(renderPlatform(platformOf(withPools(GPU_POOL, 'gpu:\n  plugin: gpu-operator\n  timeSlicing: { replicas: 2 }\n'))).map((f) => [f.path, f.object as Obj]));
  const ov = yaml.load(operator.get('gpu/HelmChart.gpu-operator.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.deepEqual({ ...ov.devicePlugin.config, data: undefined }, { create: true, name: 'time-slicing', default: 'default', data: undefined });
  assert.equal(ov.gfd.enabled, true);
  assert.equal(ov.dcgmExporter.enabled, true);
  const err = userError(() => loadConfig(withPools(GPU_POOL, 'gpu:\n  timeSlicing: { replicas: 2 }\n').replace('components: {}', 'components:\n  ray:\n    training: { gpus: 2 }')));
  assert.ok(err.problems.some((p) => p.path === '/components/ray/training/gpus' && /refuses more than one slice/.test(p.message)), err.message);
  // Karpenter would count slices on running nodes and GPUs on new ones.
  const karpenter = userError(() => loadConfig(withPools(GPU_POOL, 'gpu:\n  timeSlicing: { replicas: 2 }\n').replace('ingressClass: traefik', 'ingressClass: traefik\n  autoscaler: karpenter')));
  assert.ok(karpenter.problems.some((p) => p.path === '/gpu/timeSlicing' && /Karpenter counts/.test(p.message)), karpenter.message);
});
