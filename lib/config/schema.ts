/**
 * The JSON schema of `environments/<env>.yaml`, and the TypeScript type of
 * such a file derived from it (one source for both).
 *
 * The schema is strict: every object has `additionalProperties: false`, so a
 * misspelt key is an error that names the key. Defaults are not in the schema:
 * they live in lib/config/defaults.ts, documented, and are applied after
 * validation.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** Patterns with a human explanation, used by the loader's error messages. */
export const PATTERNS = {
  dnsLabel: {
    pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
    explain: "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
  },
  dnsSubdomain: {
    pattern: '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    explain: 'a DNS name such as mlops.example.com: dot-separated lowercase DNS-1123 labels',
  },
  gitUrl: {
    pattern: '^(https://[^\\s/]+/\\S+|ssh://[^\\s/]+/\\S+|[A-Za-z0-9._-]+@[^\\s:/]+:\\S+)$',
    explain: 'a git URL: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git',
  },
  httpsUrl: {
    pattern: '^https://[^\\s]+$',
    explain: 'an https:// URL such as https://kubernetes.default.svc',
  },
  cpu: {
    pattern: '^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)$',
    explain: 'a CPU quantity such as 250m or 1.5',
  },
  memory: {
    pattern: '^[0-9]+(Ki|Mi|Gi|Ti)$',
    explain: 'a memory quantity in binary units such as 256Mi or 2Gi',
  },
  gitRevision: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$',
    explain: 'a branch, tag or commit such as main, v1.2.0 or a commit SHA',
  },
  storageSize: {
    pattern: '^[1-9][0-9]*(Mi|Gi|Ti)$',
    explain: 'a storage size such as 10Gi',
  },
  retention: {
    pattern: '^[1-9][0-9]*[dwm]$',
    explain: 'a retention period in days, weeks or months, such as 30d',
  },
  cronWithSeconds: {
    pattern: '^\\S+( \\S+){5}$',
    explain: 'a six-field cron schedule with seconds first, such as "0 0 2 * * *" (02:00 every day)',
  },
  bucketPrefix: {
    pattern: '^[a-z0-9][a-z0-9.-]{0,40}-$',
    explain: 'a lowercase bucket name prefix ending in "-", such as acme-prod-',
  },
  labelKey: {
    pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
    explain: 'a Kubernetes label key such as example.com/pool or nvidia.com/gpu',
  },
  duration: {
    pattern: '^[1-9][0-9]*(s|m|h)$',
    explain: 'a duration such as 30s, 5m or 1h',
  },
  s3Uri: {
    pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s]*)?$',
    explain: 'an S3 URI such as s3://mlflow/1/0123abcd/artifacts/model',
  },
  image: {
    pattern: '^[a-z0-9][a-z0-9._/:-]*[a-z0-9](:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$',
    explain: 'a container image with an exact tag or digest (not "latest"), such as ghcr.io/acme/model:1.4.2',
  },
  urlPath: {
    pattern: '^/[A-Za-z0-9._~/:@!$&()*+,;=%-]*$',
    explain: 'a URL path starting with "/", such as /v1/models/iris:predict',
  },
  relativePath: {
    pattern: '^(?!/)(?!.*\\.\\.)[A-Za-z0-9._/-]+$',
    explain: "a path relative to the project root, without '..'",
  },
} as const;

const quantityPair = {
  type: 'object',
  additionalProperties: false,
  required: ['cpu', 'memory'],
  properties: {
    cpu: { type: 'string', pattern: PATTERNS.cpu.pattern },
    memory: { type: 'string', pattern: PATTERNS.memory.pattern },
  },
} as const;

/** Container resources, overriding a component's documented default. */
const resources = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'limits'],
  properties: { requests: quantityPair, limits: quantityPair },
} as const;

const dnsLabel = { type: 'string', pattern: PATTERNS.dnsLabel.pattern } as const;
const storageSize = { type: 'string', pattern: PATTERNS.storageSize.pattern } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
/** A workload's request for GPUs: how many, and optionally which pool or GPU type. */
const gpuRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['gpus'],
  properties: {
    gpus: { type: 'integer', minimum: 1, maximum: 16 },
    pool: { type: 'string', pattern: PATTERNS.dnsLabel.pattern },
    gpuType: { type: 'string', pattern: PATTERNS.dnsLabel.pattern },
  },
} as const;

/** One version of a served model, when two run side by side. */
const modelVersion = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'weight'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$', description: 'A short DNS-1123 label, e.g. v1 or canary (not "gateway").' },
    storageUri: { type: 'string', pattern: PATTERNS.s3Uri.pattern },
    image: { type: 'string', pattern: PATTERNS.image.pattern },
    weight: { type: 'integer', minimum: 0, maximum: 100, description: 'Percent of the requests this version answers.' },
  },
} as const;

/** A model served by one of the platform's servers, or a team's own HTTP service. */
const servedModel = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'server'],
  properties: {
    name: { type: 'string', pattern: '^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$', description: 'A DNS-1123 label of at most 32 characters, starting with a letter.' },
    server: { enum: ['kserve', 'rayserve', 'seldon', 'service'] },
    format: { enum: ['sklearn', 'xgboost', 'lightgbm', 'mlflow'] },
    storageUri: { type: 'string', pattern: PATTERNS.s3Uri.pattern },
    image: { type: 'string', pattern: PATTERNS.image.pattern },
    versions: { type: 'array', minItems: 2, maxItems: 4, items: modelVersion },
    replicas: {
      type: 'object',
      additionalProperties: false,
      properties: { min: { type: 'integer', minimum: 1, maximum: 100 }, max: { type: 'integer', minimum: 1, maximum: 100 } },
    },
    targetCpuUtilization: { type: 'integer', minimum: 10, maximum: 100 },
    resources,
    gpu: gpuRequest,
    host: { type: 'string', pattern: PATTERNS.dnsSubdomain.pattern },
    port: { type: 'integer', minimum: 1024, maximum: 65535 },
    healthPath: { type: 'string', pattern: PATTERNS.urlPath.pattern },
    metricsPath: { type: 'string', pattern: PATTERNS.urlPath.pattern },
    cache: { type: 'boolean' },
    rayserve: {
      type: 'object',
      additionalProperties: false,
      required: ['importPath', 'workingDir'],
      properties: {
        importPath: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$' },
        workingDir: { type: 'string', pattern: '^(s3://|https://)[^\\s]+\\.zip$' },
        pip: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*(\\[[A-Za-z0-9,._-]+\\])?==[A-Za-z0-9.+!-]+$' } },
        maxWorkers: { type: 'integer', minimum: 1, maximum: 100 },
        workerResources: resources,
        headResources: resources,
      },
    },
    retrainDag: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,250}$', description: 'The Airflow DAG that retrains this model; alerts labelled retrain="true" start it.' },
    loadTest: {
      type: 'object',
      additionalProperties: false,
      required: ['request'],
      properties: {
        users: { type: 'integer', minimum: 1, maximum: 10000 },
        spawnRate: { type: 'integer', minimum: 1, maximum: 1000 },
        duration: { type: 'string', pattern: PATTERNS.duration.pattern },
        request: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          properties: {
            method: { enum: ['GET', 'POST'] },
            path: { type: 'string', pattern: PATTERNS.urlPath.pattern },
            body: { description: 'JSON body sent with every request.' },
          },
        },
      },
    },
  },
} as const;

/** A Streamlit (or any HTTP) front end of a model. */
const servingApp = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'image', 'model'],
  properties: {
    name: { type: 'string', pattern: '^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$' },
    image: { type: 'string', pattern: PATTERNS.image.pattern },
    model: { type: 'string', pattern: PATTERNS.dnsLabel.pattern },
    host: { type: 'string', pattern: PATTERNS.dnsSubdomain.pattern },
    port: { type: 'integer', minimum: 1024, maximum: 65535 },
    resources,
  },
} as const;

const servingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    models: { type: 'array', items: servedModel },
    apps: { type: 'array', items: servingApp },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: { persistence: storageSize, resources },
    },
    seldon: {
      type: 'object',
      additionalProperties: false,
      required: ['licence'],
      properties: {
        licence: { const: 'BSL-1.1', description: 'Seldon Core 1.18 and later is under the Business Source License 1.1; naming it here is the opt-in.' },
      },
    },
  },
} as const;

/** An SMTP server (Airflow's failure e-mails, alert e-mails); with `user`, the password is a sealed value. */
const smtpSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'from'],
  properties: {
    host: { type: 'string', pattern: PATTERNS.dnsSubdomain.pattern },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    user: { type: 'string', minLength: 1 },
    from: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
    starttls: { type: 'boolean' },
  },
} as const;

/** Kafka (Strimzi) and what flows through it. */
const streamingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    kafka: {
      type: 'object',
      additionalProperties: false,
      properties: {
        brokers: { type: 'integer', minimum: 1, maximum: 9 },
        controllers: { type: 'integer', enum: [0, 1, 3, 5], description: '0: the brokers are the controllers too (dual-role nodes).' },
        storageSize: storageSize,
        resources,
        retention: { type: 'string', pattern: '^[1-9][0-9]*(h|d)$' },
      },
    },
    topics: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$' },
          partitions: { type: 'integer', minimum: 1, maximum: 100 },
          replicas: { type: 'integer', minimum: 1, maximum: 9 },
          retention: { type: 'string', pattern: '^[1-9][0-9]*(h|d)$' },
        },
      },
    },
    drift: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['model', 'features', 'reference'],
        properties: {
          model: dnsLabel,
          features: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,62}$' } },
          reference: { type: 'string', pattern: PATTERNS.s3Uri.pattern, description: 'A CSV with a column per feature: the training data the model learnt from.' },
          window: { type: 'integer', minimum: 50, maximum: 100000 },
          threshold: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
          for: { type: 'string', pattern: PATTERNS.duration.pattern },
        },
      },
    },
    consumers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['component', 'topics'],
        properties: {
          component: { enum: ['airflow', 'serving', 'prefect', 'ray'] },
          topics: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$' } },
        },
      },
    },
  },
} as const;

/** Logging: Elasticsearch, Kibana, Filebeat and Logstash (ECK). */
const loggingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    elasticsearch: {
      type: 'object',
      additionalProperties: false,
      properties: {
        nodes: { type: 'integer', minimum: 1, maximum: 9 },
        storageSize: storageSize,
        heap: { type: 'string', pattern: '^[1-9][0-9]*[mg]$', description: 'JVM heap, e.g. 1g: at most half the memory limit.' },
        resources,
      },
    },
    kibana: { type: 'object', additionalProperties: false, properties: { resources } },
    logstash: { type: 'object', additionalProperties: false, properties: { replicas: { type: 'integer', minimum: 1, maximum: 5 }, resources } },
    namespaces: { type: 'array', items: dnsLabel, description: 'Namespaces whose container logs Filebeat ships; every platform namespace by default.' },
    retention: { type: 'string', pattern: '^[1-9][0-9]*(h|d)$', description: 'How long logs are kept (at least a day).' },
    rolloverSize: { type: 'string', pattern: '^[1-9][0-9]*(mb|gb)$' },
    snapshots: {
      type: 'object',
      additionalProperties: false,
      properties: {
        schedule: { type: 'string', pattern: '^\\S+( \\S+){5,6}$', description: 'Elasticsearch cron, seconds first, e.g. "0 30 1 * * ?".' },
        retention: { type: 'string', pattern: '^[1-9][0-9]*d$' },
      },
    },
  },
} as const;

/** Observability: Prometheus, Alertmanager, Grafana (kube-prometheus-stack), optionally InfluxDB and Chronograf. */
const monitoringSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    prometheus: {
      type: 'object',
      additionalProperties: false,
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 5 },
        retention: { type: 'string', pattern: '^[1-9][0-9]*(h|d|w)$' },
        storageSize: storageSize,
        resources,
        namespaces: { type: 'array', items: dnsLabel, description: 'Namespaces whose monitors and rules Prometheus reads; every monitored component must be in one.' },
      },
    },
    alertmanager: {
      type: 'object',
      additionalProperties: false,
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 5 },
        storageSize: storageSize,
        resources,
        email: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: {
            to: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' } },
            severities: { type: 'array', minItems: 1, items: { enum: ['critical', 'warning', 'info'] } },
          },
        },
        smtp: smtpSchema,
        webhooks: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'url'],
            properties: {
              name: dnsLabel,
              url: { type: 'string', pattern: '^https?://[^\\s]+$' },
              matchers: { type: 'array', items: { type: 'string', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*(=|!=|=~|!~)"[^"]*"$' } },
            },
          },
        },
      },
    },
    grafana: {
      type: 'object',
      additionalProperties: false,
      properties: { resources, storageSize: storageSize },
    },
    influxdb: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        organization: dnsLabel,
        bucket: dnsLabel,
        retention: { type: 'string', pattern: '^(0|[1-9][0-9]*(h|d|w))$' },
        storageSize: storageSize,
        resources,
        chronograf: { type: 'boolean' },
      },
    },
  },
} as const;

export const environmentSchema = {
  $id: 'https://mlops-gitops.dev/schemas/environment.json',
  title: 'mlops-gitops environment',
  type: 'object',
  additionalProperties: false,
  required: ['cluster', 'domain', 'gitops', 'components'],
  properties: {
    description: { type: 'string', description: 'Free text for people; not used by the generator.' },
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'server', 'distribution', 'storageClass', 'ingressClass'],
      properties: {
        name: { ...dnsLabel, description: 'Name of the cluster, used in labels and in the AppProject.' },
        server: {
          type: 'string',
          pattern: PATTERNS.httpsUrl.pattern,
          description: 'Argo CD destination server URL of the cluster.',
        },
        distribution: { enum: ['k3s', 'rke2', 'generic'], description: 'k3s and rke2 ship a helm-controller.' },
        helmController: {
          enum: ['builtin', 'install'],
          description: 'Who processes HelmChart CRs: the distribution (builtin) or a controller this platform installs.',
        },
        storageClass: { type: 'string', minLength: 1 },
        ingressClass: { type: 'string', minLength: 1 },
        ingressController: {
          enum: ['existing', 'install'],
          description: 'Who serves ingressClass: a controller the cluster already runs (k3s ships Traefik), or Traefik installed by the platform.',
        },
        prometheusOperator: {
          type: 'boolean',
          description: 'The cluster runs the Prometheus Operator (its ServiceMonitor CRD exists): components ship ServiceMonitors.',
        },
        autoscaler: {
          enum: ['none', 'karpenter', 'cluster-autoscaler'],
          description: 'What adds nodes to the pools: Karpenter NodePools are emitted; for cluster-autoscaler the node-group tags are listed in dist/<env>/README.md.',
        },
        karpenterNodeClass: { ...dnsLabel, description: 'The EC2NodeClass the Karpenter NodePools use.' },
      },
    },
    nodePools: {
      type: 'array',
      description: 'Node pools the platform places workloads on.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind', 'labels', 'maxNodes'],
        properties: {
          name: dnsLabel,
          kind: { enum: ['cpu', 'gpu'] },
          labels: { ...stringMap, minProperties: 1 },
          taints: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['key', 'effect'],
              properties: {
                key: { type: 'string', pattern: PATTERNS.labelKey.pattern },
                value: { type: 'string' },
                effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
              },
            },
          },
          gpuResource: { type: 'string', pattern: PATTERNS.labelKey.pattern },
          gpuType: { type: 'string', pattern: PATTERNS.dnsLabel.pattern },
          gpusPerNode: { type: 'integer', minimum: 1, maximum: 16 },
          instanceTypes: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
          minNodes: { type: 'integer', minimum: 0 },
          maxNodes: { type: 'integer', minimum: 1 },
        },
      },
    },
    gpu: {
      type: 'object',
      additionalProperties: false,
      properties: {
        plugin: { enum: ['device-plugin', 'gpu-operator'] },
        featureDiscovery: { type: 'boolean', description: 'GPU feature discovery: nvidia.com/gpu.* node labels (informational; pools are never selected by them).' },
        metrics: { type: 'boolean', description: 'The DCGM exporter on GPU nodes (GPU use, memory, temperature as Prometheus metrics).' },
        timeSlicing: {
          type: 'object',
          additionalProperties: false,
          required: ['replicas'],
          description: 'Share each GPU between this many pods (time-slicing: no memory or fault isolation).',
          properties: { replicas: { type: 'integer', minimum: 2, maximum: 16 } },
        },
      },
    },
    domain: { type: 'string', pattern: PATTERNS.dnsSubdomain.pattern, description: 'Base domain: <app>.<domain>.' },
    gitops: {
      type: 'object',
      additionalProperties: false,
      required: ['repoURL', 'targetRevision'],
      properties: {
        repoURL: { type: 'string', pattern: PATTERNS.gitUrl.pattern },
        targetRevision: { type: 'string', pattern: PATTERNS.gitRevision.pattern },
        path: { type: 'string', pattern: PATTERNS.relativePath.pattern },
        auth: { enum: ['none', 'token'], description: 'HTTPS repositories: `token` when Argo CD needs a token to read it. SSH URLs always use a deploy key.' },
        username: { type: 'string', minLength: 1, description: 'User name sent with the token.' },
        knownHosts: { type: 'string', minLength: 1, description: 'known_hosts lines of an SSH git server Argo CD does not know yet.' },
      },
    },
    sealing: {
      type: 'object',
      additionalProperties: false,
      properties: {
        certificate: { type: 'string', pattern: PATTERNS.relativePath.pattern },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      description: 'Certificates of every UI, issued by cert-manager.',
      properties: {
        issuer: {
          enum: ['selfSigned', 'acme', 'clusterIssuer'],
          description: 'selfSigned: a CA made in the cluster; acme: Let\'s Encrypt (HTTP-01 through the ingress class); clusterIssuer: a ClusterIssuer you provide.',
        },
        acme: {
          type: 'object',
          additionalProperties: false,
          required: ['email'],
          properties: {
            email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' },
            server: { type: 'string', pattern: PATTERNS.httpsUrl.pattern },
          },
        },
        clusterIssuer: { ...dnsLabel, description: 'Name of the ClusterIssuer, with issuer: clusterIssuer.' },
      },
    },
    argocd: {
      type: 'object',
      additionalProperties: false,
      properties: {
        install: { type: 'boolean' },
        namespace: dnsLabel,
        ha: { type: 'boolean' },
      },
    },
    database: {
      type: 'object',
      additionalProperties: false,
      description: 'The platform PostgreSQL: CloudNativePG in the cluster, or an external (managed) server.',
      properties: {
        instances: { type: 'integer', minimum: 1, maximum: 9 },
        storageSize,
        resources,
        backup: {
          type: 'object',
          additionalProperties: false,
          required: ['retention'],
          properties: {
            schedule: { type: 'string', pattern: PATTERNS.cronWithSeconds.pattern },
            retention: { type: 'string', pattern: PATTERNS.retention.pattern },
          },
        },
        external: {
          type: 'object',
          additionalProperties: false,
          required: ['host'],
          properties: {
            host: { type: 'string', pattern: PATTERNS.dnsSubdomain.pattern },
            port: { type: 'integer', minimum: 1, maximum: 65535 },
            sslmode: { enum: ['disable', 'require', 'verify-ca', 'verify-full'] },
          },
        },
      },
    },
    objectStore: {
      type: 'object',
      additionalProperties: false,
      description: 'Object storage: MinIO in the cluster, or an external S3 endpoint.',
      properties: {
        minio: {
          type: 'object',
          additionalProperties: false,
          properties: { storageSize, resources },
        },
        external: {
          type: 'object',
          additionalProperties: false,
          required: ['endpoint', 'region', 'bucketPrefix', 'credentials'],
          properties: {
            endpoint: { type: 'string', pattern: PATTERNS.httpsUrl.pattern },
            region: { type: 'string', pattern: '^[a-z0-9-]+$' },
            bucketPrefix: { type: 'string', pattern: PATTERNS.bucketPrefix.pattern },
            credentials: { enum: ['sealed', 'serviceAccount'] },
            serviceAccountAnnotations: stringMap,
          },
        },
      },
    },
    serving: servingSchema,
    monitoring: monitoringSchema,
    logging: loggingSchema,
    streaming: streamingSchema,
    components: {
      type: 'object',
      additionalProperties: false,
      properties: {
        airflow: {
          type: 'object',
          additionalProperties: false,
          required: ['dags'],
          properties: {
            enabled: { type: 'boolean' },
            executor: { enum: ['KubernetesExecutor', 'CeleryExecutor'] },
            dags: {
              type: 'object',
              additionalProperties: false,
              required: ['repo'],
              properties: {
                repo: { type: 'string', pattern: PATTERNS.gitUrl.pattern },
                branch: { type: 'string', pattern: PATTERNS.gitRevision.pattern },
                rev: { type: 'string', pattern: PATTERNS.gitRevision.pattern },
                subPath: { type: 'string', pattern: '^$|' + PATTERNS.relativePath.pattern },
                period: { type: 'string', pattern: PATTERNS.duration.pattern },
                knownHosts: { type: 'string', minLength: 1 },
                auth: { enum: ['none', 'token'] },
                username: { type: 'string', minLength: 1 },
              },
            },
            apiServerReplicas: { type: 'integer', minimum: 1, maximum: 10 },
            gpuTraining: gpuRequest,
            workerReplicas: { type: 'integer', minimum: 1, maximum: 50 },
            workerResources: resources,
            smtp: smtpSchema,
          },
        },
        prefect: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            serverResources: resources,
            workerReplicas: { type: 'integer', minimum: 1, maximum: 10 },
            workPool: dnsLabel,
          },
        },
        ray: {
          type: 'object',
          additionalProperties: false,
          required: ['training'],
          properties: {
            enabled: { type: 'boolean' },
            training: {
              type: 'object',
              additionalProperties: false,
              properties: {
                gpus: { type: 'integer', minimum: 1, maximum: 16 },
                pool: { type: 'string', pattern: PATTERNS.dnsLabel.pattern },
                gpuType: { type: 'string', pattern: PATTERNS.dnsLabel.pattern },
                maxWorkers: { type: 'integer', minimum: 1, maximum: 100 },
                workerResources: resources,
                headResources: resources,
              },
            },
          },
        },
        mlflow: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            replicas: { type: 'integer', minimum: 1, maximum: 10 },
            resources,
            basicAuth: { type: 'boolean' },
          },
        },
        sealedSecrets: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            namespace: dnsLabel,
            resources,
          },
        },
      },
    },
  },
} as const;

/** An environment file as written, after schema validation (no defaults). */
export type EnvironmentFile = FromSchema<typeof environmentSchema>;
/** Container resources as written in an environment file. */
export type ResourcesSpec = FromSchema<typeof resources>;
