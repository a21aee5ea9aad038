/**
 * The sealed-secrets controller (bitnami-labs chart, HelmChart CR): it
 * decrypts every SealedSecret of the platform into a Secret.
 *
 * Named `sealed-secrets-controller` so that kubeseal finds it with
 * `--controller-namespace <namespace>` and its default controller name.
 */
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';

export const SEALED_SECRETS_CONTROLLER_NAME = 'sealed-secrets-controller';

export class SealedSecretsChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig) {
    const settings = config.components.sealedSecrets;
    super(scope, { name: 'sealed-secrets', namespace: settings.namespace, tier: Tier.CONTROLLERS, waveOffset: 1 });
    const [registry, ...repository] = IMAGES.sealedSecretsController.repository.split('/');
    new HelmChart(this, 'sealed-secrets', {
      name: 'sealed-secrets',
      chart: CHARTS.sealedSecrets,
      // The controller's private keys live in Secrets it creates; a reinstall
      // would not delete them, but there is nothing to gain from one either.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: {
        fullnameOverride: SEALED_SECRETS_CONTROLLER_NAME,
        // Values are sealed offline with the committed certificate
        // (environments/certs/<env>.pem); a renewed key would make
        // `kubeseal --fetch-cert` disagree with it. Rotate on purpose with
        // `npm run keys` instead.
        keyrenewperiod: '0',
        image: { registry, repository: repository.join('/'), tag: IMAGES.sealedSecretsController.tag },
        resources: settings.resources,
        podSecurityContext: { enabled: true, fsGroup: 65534 },
        containerSecurityContext: {
          enabled: true,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: 1001,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        // Allows the controller's port (kubeseal --fetch-cert, unsealing) only.
        networkPolicy: { enabled: true },
      },
    });
  }
}
