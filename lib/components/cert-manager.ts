/**
 * cert-manager and the ClusterIssuer every UI's certificate comes from.
 *
 * The chart (HelmChart CR, wave 0) installs cert-manager with its CRDs as
 * templates (upgraded with the chart, kept on uninstall); the install gate
 * (wave 1) waits until its webhook serves; the issuers follow in wave 2,
 * skipping Argo CD's dry run while their CRDs do not exist yet.
 *
 * - `selfSigned`: a self-signed root issues the CA `mlops-ca` (a Certificate
 *   in this namespace), which the ClusterIssuer `mlops-ca` signs with.
 * - `acme`: the ClusterIssuer `letsencrypt`, HTTP-01 through the ingress class.
 * - `clusterIssuer`: one the cluster has; nothing is emitted but the chart.
 *
 * Ingresses ask for a certificate with `cert-manager.io/cluster-issuer`
 * (ingressTlsAnnotations): cert-manager's ingress-shim issues the Secret
 * each Ingress names in `spec.tls`.
 */
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm } from '../../imports/certmanager-certificate-cert-manager.io';
import { ClusterIssuer } from '../../imports/certmanager-clusterissuer-cert-manager.io';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES, ImageRef } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { allowIngress } from '../constructs/network-policy';

export const CERT_MANAGER_NAMESPACE = 'cert-manager';
/**
 * cert-manager's cluster resource namespace: the Secrets of the
 * ClusterIssuers (the CA's key pair, the ACME account key) live here, with
 * the issuers' own Application.
 */
export const CERT_ISSUERS_NAMESPACE = 'cert-issuers';
const SELF_SIGNED = 'mlops-selfsigned';
const CA = 'mlops-ca';
const ACME = 'letsencrypt';

/** The ClusterIssuer that signs the UIs' certificates. */
export function clusterIssuerName(config: EnvironmentConfig): string {
  const tls = config.tls;
  return tls.issuer === 'selfSigned' ? CA : tls.issuer === 'acme' ? ACME : tls.clusterIssuer;
}

/** Annotations that make cert-manager issue the Secrets an Ingress names in `spec.tls`. */
export function ingressTlsAnnotations(config: EnvironmentConfig): Record<string, string> {
  return { 'cert-manager.io/cluster-issuer': clusterIssuerName(config) };
}

/** The port of cert-manager's HTTP-01 solver pods. */
const ACME_SOLVER_PORT = 8089;

/**
 * In a namespace that denies all ingress and serves an Ingress, lets the
 * ingress controller reach the HTTP-01 solver pods cert-manager starts
 * there while it proves the domain (issuer acme only).
 */
export function allowAcmeSolver(scope: Construct, config: EnvironmentConfig, labels: Record<string, string>): void {
  if (config.tls.issuer !== 'acme') return;
  allowIngress(scope, 'allow-acme-solver', {
    name: 'allow-acme-solver',
    podLabels: { 'acme.cert-manager.io/http01-solver': 'true' },
    ports: [ACME_SOLVER_PORT],
    fromNamespaces: [],
    fromAllNamespaces: true,
    labels,
  });
}

const image = (i: ImageRef) => ({ repository: i.repository, tag: i.tag });
const POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const small = { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

/** The cert-manager chart values. */
export function certManagerValues(): Record<string, unknown> {
  return {
    // CRDs as chart templates: `helm upgrade` updates them; `keep` leaves them (and every Certificate) on uninstall.
    crds: { enabled: true, keep: true },
    // ClusterIssuers read their Secrets from the issuers' namespace (their own Application).
    clusterResourceNamespace: CERT_ISSUERS_NAMESPACE,
    // A post-install hook that fails the release if the API is not ready within a minute; the install gate waits instead.
    startupapicheck: { enabled: false },
    image: image(IMAGES.certManagerController),
    resources: { requests: { cpu: '20m', memory: '96Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    securityContext: POD,
    containerSecurityContext: CONTAINER,
    webhook: { image: image(IMAGES.certManagerWebhook), resources: small, securityContext: POD, containerSecurityContext: CONTAINER },
    cainjector: {
      image: image(IMAGES.certManagerCainjector),
      resources: { requests: { cpu: '10m', memory: '96Mi' }, limits: { cpu: '200m', memory: '512Mi' } },
      securityContext: POD,
      containerSecurityContext: CONTAINER,
    },
    acmesolver: { image: image(IMAGES.certManagerAcmesolver) },
  };
}

/**
 * Issuers come after the gate (wave 1) has seen the webhook serve; their
 * CRDs may not exist at dry-run time. The CA's ClusterIssuer waits (wave 3)
 * for the CA Certificate (wave 2) whose Secret it reads.
 */
const issuerAnnotations = (wave: number) => ({
  'argocd.argoproj.io/sync-wave': String(wave),
  'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
});
const ISSUER_ANNOTATIONS = issuerAnnotations(2);

/**
 * cert-manager itself, with the controllers: operators whose webhooks need
 * certificates (KServe, Seldon) come after it. The gate waits until its
 * webhook and CA injector run.
 */
export class CertManagerChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, { name: 'cert-manager', namespace: CERT_MANAGER_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 5 });
    new HelmChart(this, 'cert-manager', {
      name: 'cert-manager',
      chart: CHARTS.certManager,
      // Its CRDs hold the issuers, the ACME account and the CA's Certificate.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: certManagerValues(),
    });
  }
}

/**
 * The ClusterIssuers of the UIs' certificates, in the last wave: nothing
 * waits for them (cert-manager issues the certificates of Ingresses made
 * earlier as soon as their issuer is ready), and an issuer that cannot
 * register (an ACME account refused, no way out to the internet) then fails
 * only this Application, not the databases and services before it.
 */
export class CertIssuersChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, { name: 'cert-issuers', namespace: CERT_ISSUERS_NAMESPACE, tier: Tier.WORKLOADS, waveOffset: 9 });
    const labels = this.objectLabels();
    const tls = config.tls;
    if (tls.issuer === 'selfSigned') {
      new ClusterIssuer(this, 'self-signed', {
        metadata: { name: SELF_SIGNED, labels, annotations: ISSUER_ANNOTATIONS },
        spec: { selfSigned: {} },
      });
      new Certificate(this, 'ca', {
        metadata: { name: CA, labels, annotations: ISSUER_ANNOTATIONS },
        spec: {
          isCa: true,
          commonName: `mlops-gitops ${config.name} CA`,
          secretName: CA,
          duration: '87600h',
          privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
          issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: SELF_SIGNED },
        },
      });
      // A ClusterIssuer reads its Secret from cert-manager's cluster resource namespace: this one.
      new ClusterIssuer(this, 'ca-issuer', {
        metadata: { name: CA, labels, annotations: issuerAnnotations(3) },
        spec: { ca: { secretName: CA } },
      });
    } else if (tls.issuer === 'acme') {
      new ClusterIssuer(this, 'acme', {
        metadata: { name: ACME, labels, annotations: ISSUER_ANNOTATIONS },
        spec: {
          acme: {
            email: tls.email,
            server: tls.server,
            privateKeySecretRef: { name: `${ACME}-account` },
            solvers: [{ http01: { ingress: { ingressClassName: config.cluster.ingressClass } } }],
          },
        },
      });
    }
  }
}
