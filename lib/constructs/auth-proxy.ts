/**
 * An authenticating reverse proxy (nginx, unprivileged) as a sidecar in
 * front of a UI that has no access control of its own. It works with any
 * ingress controller: the Ingress routes to the proxy's port, which asks for
 * HTTP basic credentials (an htpasswd file from a sealed Secret) and passes
 * the request to the application on the pod's loopback. In-cluster clients
 * keep the application's own port, open only to their namespaces.
 */
import * as kplus from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { IMAGES, imageString } from '../config/versions';
import { createHash } from 'node:crypto';
import type { GeneratedValue } from '../secrets/catalog';
import { containerResources, restrictedContainerSecurity } from './workload';

/** The port the proxy listens on. */
export const AUTH_PROXY_PORT = 8080;
/** The user of the nginx-unprivileged image. */
const NGINX_USER = 101;

export interface AuthProxyConfig {
  /** The application's port on the pod's loopback. */
  readonly upstreamPort: number;
  /** Another upstream than the pod's loopback, e.g. `http://prometheus-operated.monitoring.svc.cluster.local:9090`. @default http://127.0.0.1:<upstreamPort> */
  readonly upstream?: string;
  /** Shown by browsers in the credentials prompt. */
  readonly realm: string;
  /** Path of the application's health endpoint, served without credentials (probes). */
  readonly healthPath: string;
  /** Largest request body (uploads through the UI or API), nginx syntax. */
  readonly maxBodySize: string;
  /** Where the htpasswd file is mounted. */
  readonly htpasswdFile: string;
  /** Port to listen on. @default AUTH_PROXY_PORT */
  readonly listenPort?: number;
  /** Pass WebSocket upgrades (Streamlit). @default false */
  readonly websockets?: boolean;
}

/**
 * The start of an nginx.conf for a read-only root filesystem: the pid and
 * every temporary file under /tmp (a scratch volume), logs to the container's
 * streams, up to the open `http {` block with its body size limit.
 */
export function nginxConfigStart(title: string, connections: number, maxBodySize: string): string {
  return `# ${title}
worker_processes 1;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events {
  worker_connections ${connections};
}
http {
  access_log /dev/stdout;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  server_tokens off;
  client_max_body_size ${maxBodySize};
`;
}

/** The complete nginx.conf: everything nginx writes goes to /tmp (read-only root). */
export function authProxyConfig(c: AuthProxyConfig): string {
  const realm = c.realm.replace(/["\\]/g, '');
  const upstream = c.upstream ?? `http://127.0.0.1:${c.upstreamPort}`;
  return `${nginxConfigStart('mlops-gitops authenticating proxy (lib/constructs/auth-proxy.ts)', 512, c.maxBodySize)}${c.websockets ? `  map $http_upgrade $connection_upgrade {
    default upgrade;
    "" close;
  }
` : ''}  server {
    listen ${c.listenPort ?? AUTH_PROXY_PORT};
    location = ${c.healthPath} {
      proxy_pass ${upstream};
    }
    location / {
      auth_basic "${realm}";
      auth_basic_user_file ${c.htpasswdFile};
      proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
${c.websockets ? `      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
` : ''}      # The application never sees the proxy's credentials.
      proxy_set_header Authorization "";
      proxy_read_timeout 600s;
      # Stream both ways: buffering a large artifact would fill the small /tmp and get the pod evicted.
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
`;
}

export interface AuthProxyProps extends Omit<AuthProxyConfig, 'htpasswdFile'> {
  /** Name of the Secret and its key holding the htpasswd lines. */
  readonly htpasswd: { readonly name: string; readonly key: string };
  /** Labels of the ConfigMap. */
  readonly labels: Record<string, string>;
  /** Name of the ConfigMap with nginx.conf. */
  readonly configName: string;
}

/** The proxy as a cdk8s-plus container of a workload, with its ConfigMap and volumes. */
export function authProxyContainer(scope: Construct, props: AuthProxyProps): kplus.ContainerProps {
  const htpasswdFile = `/etc/auth-proxy/htpasswd/${props.htpasswd.key}`;
  const config = new kplus.ConfigMap(scope, 'auth-proxy-config', {
    metadata: { name: props.configName, labels: props.labels },
    data: { 'nginx.conf': authProxyConfig({ ...props, htpasswdFile }) },
  });
  const secret = kplus.Secret.fromSecretName(scope, 'auth-proxy-htpasswd', props.htpasswd.name);
  const port = props.listenPort ?? AUTH_PROXY_PORT;
  return {
    name: 'auth-proxy',
    image: imageString(IMAGES.authProxy),
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['nginx', '-c', '/etc/auth-proxy/conf/nginx.conf', '-g', 'daemon off;'],
    portNumber: port,
    resources: containerResources({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '500m', memory: '128Mi' } }),
    readiness: kplus.Probe.fromHttpGet(props.healthPath, { port }),
    securityContext: restrictedContainerSecurity(NGINX_USER),
    volumeMounts: [
      { path: '/etc/auth-proxy/conf', volume: kplus.Volume.fromConfigMap(scope, 'auth-proxy-conf-volume', config, { name: 'auth-proxy-conf' }), readOnly: true },
      {
        path: '/etc/auth-proxy/htpasswd',
        volume: kplus.Volume.fromSecret(scope, 'auth-proxy-htpasswd-volume', secret, { name: 'auth-proxy-htpasswd', items: { [props.htpasswd.key]: { path: props.htpasswd.key } } }),
        readOnly: true,
      },
      { path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, 'auth-proxy-tmp', 'auth-proxy-tmp', { sizeLimit: Size.mebibytes(64) }) },
    ],
  };
}

/** An htpasswd line (`{SHA}` scheme, which nginx accepts) derived from the Secret's generated `password`. */
export function htpasswdOf(user: string): GeneratedValue {
  return {
    kind: 'generated',
    generate: (_random, siblings) => `${user}:{SHA}${createHash('sha1').update(siblings.password).digest('base64')}\n`,
  };
}
