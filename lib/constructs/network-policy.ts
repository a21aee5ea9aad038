/**
 * NetworkPolicies: every namespace of the data layer denies all ingress, then
 * allows exactly the consumers of each port.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** Denies every ingress to every pod of the chart's namespace. */
export function denyAllIngress(scope: Construct, labels: Record<string, string>): void {
  new k8s.KubeNetworkPolicy(scope, 'deny-all-ingress', {
    metadata: { name: 'deny-all-ingress', labels },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });
}

export interface AllowIngressProps {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  /** Pods the rule opens. */
  readonly podLabels: Record<string, string>;
  readonly ports: readonly number[];
  /** Namespaces whose pods may connect (every pod of each). */
  readonly fromNamespaces: readonly string[];
  /** Also allow pods of the same namespace (replication, setup jobs). */
  readonly fromSameNamespace?: boolean;
  /** Allow every namespace (a service behind the ingress controller, whose namespace varies). */
  readonly fromAllNamespaces?: boolean;
  readonly labels: Record<string, string>;
}

export function allowIngress(scope: Construct, id: string, props: AllowIngressProps): void {
  const from: k8s.NetworkPolicyPeer[] = [...new Set(props.fromNamespaces)].sort().map((ns) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
  }));
  if (props.fromSameNamespace) from.push({ podSelector: {} });
  if (props.fromAllNamespaces) from.push({ namespaceSelector: {} });
  new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: props.name, labels: props.labels },
    spec: {
      podSelector: { matchLabels: props.podLabels },
      policyTypes: ['Ingress'],
      ingress: [{ from, ports: props.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) }],
    },
  });
}
