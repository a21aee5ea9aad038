/**
 * Every deliberate exception to a policy, with its reason. Empty is the goal;
 * each entry is reviewed like code.
 */
import type { Exemption } from './index';

export const EXEMPTIONS: readonly Exemption[] = [];
