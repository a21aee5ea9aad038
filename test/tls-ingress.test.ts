/**
 * TLS on every UI (cert-manager and its ClusterIssuers), the ingress
 * controller for generic clusters without one (Traefik), access control that
 * works with any ingress controller (MLflow's authenticating proxy, Prefect's
 * basic auth), and the NetworkPolicies around them.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { CHARTS, IMAGES, imageString } from '../lib/config/versions';
import { renderPlatform } from '../lib/render';
import { envYaml, platformOf, ROOT, userError } from './support';

type Obj = Record<string, any>;
const render = (text: string) => new Map(renderPlatform(platformOf(text, { lenient: true })).map((f) => [f.path, f.object as Obj]));
const values = (o: Obj) => yaml.load(o.spec.valuesContent) as Obj;
const GENERIC = envYaml().replace('distribution: k3s', 'distribution: generic');
const WITH_UIS = (text: string) => text.replace('components: {}', 'components:\n  mlflow: {}\n  airflow:\n    dags:\n      repo: https://git.example.com/org/dags.git\n  prefect: {}');

test('cert-manager: pinned chart, CRDs upgraded with it and kept, no startup hook, restricted pods, kept on removal', () => {
  const objs = render(envYaml());
  const chart = objs.get('cert-manager/HelmChart.cert-manager.k8s.yaml')!;
  assert.equal(chart.spec.repo, CHARTS.certManager.repo);
  assert.equal(chart.spec.version, 'v1.21.1');
  assert.equal(chart.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false');
  const v = values(chart);
  assert.deepEqual(v.crds, { enabled: true, keep: true });
  assert.equal(v.startupapicheck.enabled, false, 'a post-install hook that fails the release; the install gate waits instead');
  assert.equal(`${v.image.repository}:${v.image.tag}`, imageString(IMAGES.certManagerController));
  for (const c of [v, v.webhook, v.cainjector]) {
    assert.equal(c.securityContext.runAsNonRoot, true);
    assert.deepEqual(c.containerSecurityContext.capabilities.drop, ['ALL']);
    assert.ok(c.resources.limits.memory);
  }
  // The gate waits for the webhook before the issuers (wave 2) are applied.
  assert.equal(objs.get('cert-manager/Job.cert-manager-install-gate.k8s.yaml')!.metadata.annotations['argocd.argoproj.io/sync-wave'], '1');
});

test('selfSigned (default): a self-signed root issues the CA that the ClusterIssuer mlops-ca signs with', () => {
  const objs = render(envYaml());
  const root = objs.get('cert-issuers/ClusterIssuer.mlops-selfsigned.k8s.yaml')!;
  const ca = objs.get('cert-issuers/Certificate.mlops-ca.k8s.yaml')!;
  const issuer = objs.get('cert-issuers/ClusterIssuer.mlops-ca.k8s.yaml')!;
  assert.deepEqual(root.spec, { selfSigned: {} });
  assert.equal(root.metadata.namespace, undefined);
  assert.equal(ca.metadata.namespace, 'cert-issuers', 'a ClusterIssuer reads its Secret from cert-manager\'s cluster resource namespace');
  assert.equal(ca.spec.isCA, true);
  assert.deepEqual(ca.spec.issuerRef, { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'mlops-selfsigned' });
  assert.deepEqual(issuer.spec, { ca: { secretName: ca.spec.secretName } });
  // After the install gate (wave 1); the CA's issuer after the Certificate whose Secret it reads.
  assert.deepEqual([root, ca, issuer].map((o) => o.metadata.annotations['argocd.argoproj.io/sync-wave']), ['2', '2', '3']);
  for (const o of [root, ca, issuer]) assert.equal(o.metadata.annotations['argocd.argoproj.io/sync-options'], 'SkipDryRunOnMissingResource=true');
});

test('acme: Let\'s Encrypt over HTTP-01 through the ingress class, with the account e-mail', () => {
  const objs = render(envYaml('tls:\n  issuer: acme\n  acme:\n    email: ops@example.org\n'));
  const issuer = objs.get('cert-issuers/ClusterIssuer.letsencrypt.k8s.yaml')!;
  assert.deepEqual(issuer.spec.acme, {
    email: 'ops@example.org',
    server: 'https://acme-v02.api.letsencrypt.org/directory',
    privateKeySecretRef: { name: 'letsencrypt-account' },
    solvers: [{ http01: { ingress: { ingressClassName: 'traefik' } } }],
  });
  assert.ok(!objs.has('cert-issuers/ClusterIssuer.mlops-ca.k8s.yaml'));
});

test('clusterIssuer: a ClusterIssuer the cluster has; cert-manager is not installed a second time', () => {
  const objs = render(WITH_UIS(envYaml('tls:\n  issuer: clusterIssuer\n  clusterIssuer: corp-ca\n')));
  assert.ok(![...objs.keys()].some((p) => p.startsWith('cert-manager/')));
  assert.equal(objs.get('mlflow/Ingress.mlflow.k8s.yaml')!.metadata.annotations['cert-manager.io/cluster-issuer'], 'corp-ca');
});

test('every UI asks cert-manager for the certificate its Ingress names, in every shipped environment', () => {
  for (const r of renderEnvironments(ROOT, ['local', 'staging', 'prod'])) {
    const issuer = r.env === 'local' ? 'mlops-ca' : 'letsencrypt';
    for (const f of r.files) {
      const o = f.object as Obj;
      if (o.kind === 'Ingress') {
        assert.equal(o.metadata.annotations['cert-manager.io/cluster-issuer'], issuer, `${r.env}/${f.path}`);
        for (const rule of o.spec.rules) assert.ok(o.spec.tls.some((t: Obj) => t.hosts.includes(rule.host) && t.secretName), `${r.env}/${f.path} ${rule.host}`);
      }
      if (o.kind === 'HelmChart') {
        const v = values(o);
        const ingresses = { 'argo-cd': v.server?.ingress, airflow: v.ingress?.apiServer, 'prefect-server': v.ingress }[o.metadata.name as string];
        if (ingresses) {
          assert.equal(ingresses.annotations['cert-manager.io/cluster-issuer'], issuer, `${r.env}/${f.path}`);
          assert.ok(ingresses.tls === true || ingresses.hosts?.[0]?.tls?.enabled === true, `${r.env}/${f.path} TLS on`);
        }
      }
    }
  }
});

test('tls settings that cannot apply are errors naming the field and the fix', () => {
  const cases: [string, RegExp][] = [
    [envYaml('tls:\n  issuer: acme\n'), /\/tls: issuer "acme" needs the account e-mail/],
    [envYaml('tls:\n  acme:\n    email: a@b.org\n'), /\/tls\/acme: acme settings apply to issuer "acme", not "selfSigned"/],
    [envYaml('tls:\n  issuer: clusterIssuer\n'), /\/tls: issuer "clusterIssuer" needs the name/],
    [envYaml('tls:\n  issuer: acme\n  acme:\n    email: not-an-email\n'), /\/tls\/acme\/email/],
    [envYaml('tls:\n  issuer: letsencrypt\n'), /\/tls\/issuer/],
  ];
  for (const [text, message] of cases) assert.match(userError(() => platformOf(text)).message, message);
});

test('Traefik for a generic cluster without an ingress controller: pinned, only the Ingress provider, published address', () => {
  const objs = render(GENERIC.replace('ingressClass: traefik', 'ingressClass: web\n  ingressController: install'));
  const chart = objs.get('traefik/HelmChart.traefik.k8s.yaml')!;
  assert.equal(chart.spec.version, CHARTS.traefik.version);
  const v = values(chart);
  assert.equal(`${v.image.registry}/${v.image.repository}:${v.image.tag}`, imageString(IMAGES.traefik));
  assert.deepEqual(v.ingressClass, { enabled: true, isDefaultClass: false, name: 'web' });
  assert.equal(v.providers.kubernetesCRD.enabled, false);
  assert.equal(v.providers.kubernetesIngress.publishedService.enabled, true, 'Ingress status gets the load balancer address');
  assert.equal(v.podSecurityContext.runAsNonRoot, true);
  assert.equal(v.deployment.replicas, 2);
  assert.equal(v.podDisruptionBudget.enabled, true);
  assert.ok(!render(GENERIC).has('traefik/HelmChart.traefik.k8s.yaml'), 'only when asked');
  assert.match(userError(() => platformOf(envYaml().replace('ingressClass: traefik', 'ingressClass: traefik\n  ingressController: install'))).message, /\/cluster\/ingressController: k3s ships an ingress controller already/);
});

test('MLflow: people pass the authenticating proxy; in-cluster clients use the MLflow port, open to their namespaces only', () => {
  const objs = render(WITH_UIS(envYaml()));
  const deployment = objs.get('mlflow/Deployment.mlflow.k8s.yaml')!;
  const proxy = deployment.spec.template.spec.containers.find((c: Obj) => c.name === 'auth-proxy');
  assert.equal(proxy.image, imageString(IMAGES.authProxy));
  assert.equal(proxy.securityContext.runAsUser, 101);
  assert.equal(proxy.securityContext.readOnlyRootFilesystem, true);
  assert.ok(proxy.volumeMounts.some((m: Obj) => m.mountPath === '/etc/auth-proxy/htpasswd'));
  const htpasswd = deployment.spec.template.spec.volumes.find((v: Obj) => v.name === 'auth-proxy-htpasswd');
  assert.deepEqual(htpasswd.secret.items, [{ key: 'auth', path: 'auth' }]);
  assert.equal(htpasswd.secret.secretName, 'mlflow-basic-auth');
  assert.match(objs.get('mlflow/ConfigMap.mlflow-auth-proxy.k8s.yaml')!.data['nginx.conf'], /auth_basic_user_file \/etc\/auth-proxy\/htpasswd\/auth;/);
  const ingress = objs.get('mlflow/Ingress.mlflow.k8s.yaml')!;
  assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.port.number, 8080);
  assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/auth-type'], undefined, 'no controller-specific auth');
  const ports = objs.get('mlflow/Service.mlflow.k8s.yaml')!.spec.ports.map((p: Obj) => `${p.name}:${p.port}`);
  assert.deepEqual(ports, ['http:5000', 'auth-proxy:8080']);
  const http = objs.get('mlflow/NetworkPolicy.allow-http.k8s.yaml')!;
  assert.deepEqual(http.spec.ingress[0].from.map((f: Obj) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']).sort(), ['airflow', 'prefect']);
  assert.equal(http.spec.ingress[0].ports[0].port, 5000);
  const ui = objs.get('mlflow/NetworkPolicy.allow-ui.k8s.yaml')!;
  assert.deepEqual(ui.spec.ingress[0], { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] });
  // Without basic auth: no proxy, the MLflow port behind the ingress.
  const open = render(envYaml().replace('components: {}', 'components:\n  mlflow:\n    basicAuth: false'));
  assert.equal(open.get('mlflow/Deployment.mlflow.k8s.yaml')!.spec.template.spec.containers.length, 1);
  assert.equal(open.get('mlflow/Ingress.mlflow.k8s.yaml')!.spec.rules[0].http.paths[0].backend.service.port.number, 5000);
});

test('acme in a namespace that denies all ingress: the ingress controller reaches cert-manager\'s HTTP-01 solver', () => {
  const objs = render(WITH_UIS(envYaml('tls:\n  issuer: acme\n  acme:\n    email: ops@example.org\n')));
  const policy = objs.get('mlflow/NetworkPolicy.allow-acme-solver.k8s.yaml')!;
  assert.deepEqual(policy.spec.podSelector, { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } });
  assert.deepEqual(policy.spec.ingress[0].ports, [{ protocol: 'TCP', port: 8089 }]);
  assert.ok(!render(WITH_UIS(envYaml())).has('mlflow/NetworkPolicy.allow-acme-solver.k8s.yaml'), 'only for acme');
});

test('Prefect: the UI and API ask for the sealed admin credentials, and the worker sends them', () => {
  const objs = render(WITH_UIS(envYaml()));
  const server = values(objs.get('prefect/HelmChart.prefect-server.k8s.yaml')!);
  const worker = values(objs.get('prefect/HelmChart.prefect-worker.k8s.yaml')!);
  assert.deepEqual(server.server.basicAuth, { enabled: true, existingSecret: 'prefect-basic-auth' });
  assert.deepEqual(worker.worker.selfHostedServerApiConfig.basicAuth, { enabled: true, existingSecret: 'prefect-basic-auth' });
  const secret = objs.get('prefect/SealedSecret.prefect-basic-auth.k8s.yaml')!;
  assert.equal(secret.metadata.namespace, 'prefect');
});

test('the issuers come last: a failing issuer (say, an ACME account refused) does not hold back the databases and services; cert-manager itself comes before the operators whose webhooks need certificates', () => {
  for (const r of renderEnvironments(ROOT, ['local', 'staging', 'prod'])) {
    const waves = r.files
      .filter((f) => f.path.startsWith('apps/Application.') && (f.object as Obj).metadata.labels['app.kubernetes.io/component'])
      .map((f) => [(f.object as Obj).metadata.labels['app.kubernetes.io/component'], Number((f.object as Obj).metadata.annotations['argocd.argoproj.io/sync-wave'])] as const);
    const wave = (c: string) => waves.find(([x]) => x === c)?.[1];
    for (const [c, w] of waves) if (c !== 'cert-issuers') assert.ok(w < wave('cert-issuers')!, `${r.env}: ${c} (${w}) before cert-issuers`);
    for (const c of ['kserve', 'seldon']) if (wave(c) !== undefined) assert.ok(wave(c)! > wave('cert-manager')!, `${r.env}: ${c} after cert-manager`);
    // The issuers' Secrets live with them: cert-manager's cluster resource namespace is theirs.
    const chart = r.files.find((f) => f.path === 'cert-manager/HelmChart.cert-manager.k8s.yaml')!.object as Obj;
    assert.equal((yaml.load(chart.spec.valuesContent) as Obj).clusterResourceNamespace, 'cert-issuers');
  }
});
