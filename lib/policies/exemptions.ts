/**
 * Every deliberate exception to a policy, with its reason. Empty is the goal;
 * each entry is reviewed like code.
 */
import type { Exemption } from './index';

export const EXEMPTIONS: readonly Exemption[] = [
  {
    policy: 'restricted-security-context',
    object: 'Beat/log-shipper/filebeat',
    container: 'filebeat',
    reason:
      'Filebeat reads every container\'s log files on the node (/var/log/containers, /var/log/pods), which only root may read; it keeps no capability but DAC_READ_SEARCH, cannot escalate, and runs alone in the privileged namespace log-shipper',
  },
  {
    policy: 'gpu-placement',
    object: 'Beat/log-shipper/filebeat',
    reason: 'the log shipper runs on every node, GPU nodes included, so that training tasks\' logs are shipped; it requests no GPU and uses a few hundred MB of memory',
  },
];
