/**
 * Argo CD (argo-helm argo-cd chart as a HelmChart CR). The bootstrap installs
 * it once; afterwards its own Application manages the same HelmChart, so
 * Argo CD upgrades and configures itself from git.
 *
 * Its configuration carries the health checks the app-of-apps depends on
 * (lib/argocd/health.ts).
 */
import { Construct } from 'constructs';
import { HEALTH_CUSTOMIZATIONS } from '../argocd/health';
import { ingressTlsAnnotations } from './cert-manager';
import { EnvironmentConfig, Resources } from '../config/environment';
import { CHARTS } from '../config/versions';
import { ComponentChart, FolderChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { SealedSecret } from '../constructs/sealed-secret';
import { SecretCatalog } from '../secrets/catalog';
import { componentLabels, PodSecurityLevel } from '../constructs/labels';

const NAME = 'argocd';

const SMALL: Resources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
const MEDIUM: Resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
const LARGE: Resources = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } };

/** Pod Security level of the Argo CD namespace, and why. */
export function argoCdPodSecurity(config: EnvironmentConfig): { level: PodSecurityLevel; reason?: string } {
  return config.argocd.ha
    ? { level: 'baseline', reason: 'the redis-ha subchart does not set the seccomp profile the restricted level requires' }
    : { level: 'restricted' };
}

/** The argo-cd chart values for an environment. */
export function argoCdValues(config: EnvironmentConfig): Record<string, unknown> {
  const ha = config.argocd.ha;
  const replicas = ha ? 2 : 1;
  return {
    global: {
      domain: `argocd.${config.domain}`,
      networkPolicy: { create: true },
    },
    crds: { install: true, keep: true },
    configs: {
      cm: { ...HEALTH_CUSTOMIZATIONS },
      ...(config.gitops.knownHosts ? { ssh: { extraHosts: config.gitops.knownHosts } } : {}),
      // TLS ends at the ingress controller.
      params: { 'server.insecure': true },
    },
    // Metrics Services (no ServiceMonitor from the chart: its bootstrap install comes before the monitoring CRDs).
    controller: { replicas: 1, resources: LARGE, metrics: { enabled: true } },
    server: {
      replicas,
      resources: MEDIUM,
      // TLS in the Secret argocd-server-tls, issued by cert-manager.
      ingress: { enabled: true, ingressClassName: config.cluster.ingressClass, tls: true, annotations: ingressTlsAnnotations(config) },
      metrics: { enabled: true },
    },
    repoServer: { replicas, resources: MEDIUM, metrics: { enabled: true } },
    applicationSet: { replicas, resources: SMALL },
    notifications: { resources: SMALL },
    // No SSO is configured; the admin account is used until one is.
    dex: { enabled: false },
    redis: { enabled: !ha, resources: SMALL },
    'redis-ha': { enabled: ha },
    redisSecretInit: { resources: SMALL },
  };
}

function addArgoCdChart(scope: Construct, config: EnvironmentConfig, waitForInstall: boolean): void {
  new HelmChart(scope, 'argo-cd', {
    name: 'argo-cd',
    chart: CHARTS.argoCd,
    values: argoCdValues(config),
    // Applications and settings live in Kubernetes objects and git, but an
    // uninstall would delete the CRDs' objects: never reinstall.
    holdsData: true,
    failurePolicy: 'abort',
    labels: componentLabels(NAME),
    waitForInstall,
  });
}

/** The repository Secret Argo CD reads dist/ with, and its bootstrap twin (README, "A private repository"). */
export const REPOSITORY_SECRET = 'gitops-repo';

/**
 * The credentials of a private GitOps repository as an Argo CD repository
 * Secret, sealed: a deploy key for SSH URLs, a token for `auth: token`.
 */
function addRepositorySecret(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog): void {
  const { gitops } = config;
  if (gitops.credentials === 'none') return;
  new SealedSecret(scope, 'repository', {
    catalog,
    component: NAME,
    name: REPOSITORY_SECRET,
    // Argo CD finds repository Secrets by this label, in its own namespace.
    labels: { ...componentLabels(NAME), 'argocd.argoproj.io/secret-type': 'repository' },
    plainData: { type: 'git', url: gitops.repoURL, ...(gitops.credentials === 'token' ? { username: gitops.username } : {}) },
    keys:
      gitops.credentials === 'ssh'
        ? [{ key: 'sshPrivateKey', description: `private key with read access to ${gitops.repoURL}`, source: { kind: 'provided', hint: `a read-only deploy key of ${gitops.repoURL}` } }]
        : [{ key: 'password', description: `token with read access to ${gitops.repoURL}`, source: { kind: 'provided', hint: `a read-only access token for ${gitops.repoURL}` } }],
  });
}

/** Argo CD managing its own installation after the bootstrap. */
export class ArgoCdChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog) {
    const pss = argoCdPodSecurity(config);
    super(scope, {
      name: NAME,
      namespace: config.argocd.namespace,
      tier: Tier.CONTROLLERS,
      waveOffset: 1,
      podSecurity: pss.level,
      ...(pss.reason ? { podSecurityReason: pss.reason } : {}),
    });
    addArgoCdChart(this, config, true);
    addRepositorySecret(this, config, catalog);
  }
}

/** The first install of Argo CD, applied by hand: its HelmChart (the namespace comes from bootstrap/00-namespaces). */
export class ArgoCdBootstrapChart extends FolderChart {
  constructor(scope: Construct, id: string, folder: string, config: EnvironmentConfig) {
    super(scope, id, folder, config.argocd.namespace);
    addArgoCdChart(this, config, false);
  }
}
