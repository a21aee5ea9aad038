/**
 * Containers of the platform's stock nginx image (nginx-unprivileged): the
 * model gateways and the authenticating proxies in front of apps, with their
 * config, htpasswd and scratch volumes, at the Pod Security restricted level.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IMAGES, imageString } from '../config/versions';
import { AUTH_PROXY_PORT, AuthProxyConfig, authProxyConfig } from './auth-proxy';

/** The user of the nginx-unprivileged image. */
export const NGINX_USER = 101;

/** A container at the Pod Security restricted level. */
export function restricted(user: number, readOnlyRoot = true): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: readOnlyRoot,
    capabilities: { drop: ['ALL'] },
  };
}


export interface NginxContainerOptions {
  readonly name: string;
  readonly command: string[];
  readonly ports: k8s.ContainerPort[];
  /** Where the ConfigMap's nginx.conf and the htpasswd file are mounted: `<dir>/conf`, `<dir>/htpasswd`. */
  readonly dir: string;
  readonly configMap: string;
  readonly htpasswd: { readonly name: string; readonly key: string };
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
  readonly probe: k8s.Probe;
  readonly liveness?: boolean;
  /** Prefix of the volume names (a pod with another container's volumes). */
  readonly volumePrefix: string;
  readonly tmpSize: string;
}

/** An nginx container of the auth proxy's image (gateways, apps' proxies) with its config, htpasswd and scratch volumes. */
export function nginxContainer(o: NginxContainerOptions): { container: k8s.Container; volumes: k8s.Volume[] } {
  const q = (v: string) => k8s.Quantity.fromString(v);
  return {
    container: {
      name: o.name,
      image: imageString(IMAGES.authProxy),
      imagePullPolicy: 'IfNotPresent',
      command: o.command,
      ports: o.ports,
      resources: { requests: { cpu: q(o.requests.cpu), memory: q(o.requests.memory) }, limits: { cpu: q(o.limits.cpu), memory: q(o.limits.memory) } },
      readinessProbe: o.probe,
      ...(o.liveness ? { livenessProbe: { ...o.probe, failureThreshold: 6 } } : {}),
      securityContext: restricted(NGINX_USER),
      volumeMounts: [
        { name: `${o.volumePrefix}conf`, mountPath: `${o.dir}/conf`, readOnly: true },
        { name: 'htpasswd', mountPath: `${o.dir}/htpasswd`, readOnly: true },
        { name: `${o.volumePrefix}tmp`, mountPath: '/tmp' },
      ],
    },
    volumes: [
      { name: `${o.volumePrefix}conf`, configMap: { name: o.configMap } },
      { name: 'htpasswd', secret: { secretName: o.htpasswd.name, items: [{ key: o.htpasswd.key, path: o.htpasswd.key }] } },
      { name: `${o.volumePrefix}tmp`, emptyDir: { sizeLimit: q(o.tmpSize) } },
    ],
  };
}


export interface AuthProxySidecarOptions {
  /** Name of the ConfigMap with nginx.conf. */
  readonly configName: string;
  readonly labels: Record<string, string>;
  readonly proxy: Omit<AuthProxyConfig, 'htpasswdFile'>;
  readonly htpasswd: { readonly name: string; readonly key: string };
  /** The container's readiness probe. @default HTTP GET of the proxy's health path */
  readonly probe?: k8s.Probe;
  /** Prefix of the volume names. @default 'proxy-' */
  readonly volumePrefix?: string;
}

/** An authenticating proxy (lib/constructs/auth-proxy.ts) as a container with its ConfigMap and volumes, in raw Kubernetes types. */
export function authProxySidecar(scope: Construct, id: string, o: AuthProxySidecarOptions): { container: k8s.Container; volumes: k8s.Volume[] } {
  const port = o.proxy.listenPort ?? AUTH_PROXY_PORT;
  const conf = new k8s.KubeConfigMap(scope, id, {
    metadata: { name: o.configName, labels: o.labels },
    data: { 'nginx.conf': authProxyConfig({ ...o.proxy, htpasswdFile: `/etc/auth-proxy/htpasswd/${o.htpasswd.key}` }) },
  });
  return nginxContainer({
    name: 'auth-proxy',
    command: ['nginx', '-c', '/etc/auth-proxy/conf/nginx.conf', '-g', 'daemon off;'],
    ports: [{ name: 'proxy', containerPort: port }],
    dir: '/etc/auth-proxy',
    configMap: conf.name,
    htpasswd: o.htpasswd,
    requests: { cpu: '10m', memory: '16Mi' },
    limits: { cpu: '200m', memory: '128Mi' },
    probe: o.probe ?? { httpGet: { path: o.proxy.healthPath, port: k8s.IntOrString.fromNumber(port) }, periodSeconds: 10, timeoutSeconds: 5 },
    volumePrefix: o.volumePrefix ?? 'proxy-',
    tmpSize: '64Mi',
  });
}

/** An Ingress of the environment's class at one host with a cert-manager certificate (`<name>-tls`). */
export function tlsIngress(scope: Construct, id: string, o: { name: string; host: string; service: string; port: number; ingressClass: string; annotations: Record<string, string>; labels: Record<string, string> }): void {
  new k8s.KubeIngress(scope, id, {
    metadata: { name: o.name, labels: o.labels, annotations: o.annotations },
    spec: {
      ingressClassName: o.ingressClass,
      tls: [{ hosts: [o.host], secretName: `${o.name}-tls` }],
      rules: [{ host: o.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: o.service, port: { number: o.port } } } }] } }],
    },
  });
}
