/**
 * The CloudNativePG operator (cloudnative-pg chart as a HelmChart CR), in the
 * controllers tier: it installs the postgresql.cnpg.io CRDs and runs the
 * platform database.
 */
import { Construct } from 'constructs';
import { CHARTS } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';

export const CNPG_NAMESPACE = 'cnpg-system';

export class CnpgOperatorChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, { name: 'cnpg-operator', namespace: CNPG_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 2 });
    new HelmChart(this, 'cloudnative-pg', {
      name: 'cloudnative-pg',
      chart: CHARTS.cloudnativePg,
      // Uninstalling the chart deletes the CRDs and with them every database.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: {
        fullnameOverride: 'cnpg-controller-manager',
        crds: { create: true },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        // The chart's defaults already meet the restricted level; stated here on purpose.
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsUser: 10001,
          runAsGroup: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
          capabilities: { drop: ['ALL'] },
        },
      },
    });
  }
}
