import { KubernetesFeature } from '../kubernetes/kubernetes-target';

/** A feature a declaration renders, and what asked for it, for the message when the target lacks it. */
export interface FeatureUse {
  readonly feature: KubernetesFeature;
  /** What asked for it, as a message names it, e.g. `envKeys of init step 'render'`. */
  readonly what: string;
  /** Where it shows in the manifest, e.g. `env[].valueFrom.fileKeyRef`. */
  readonly field: string;
}

/**
 * The Kubernetes features a pod's declarations render that not every target has: the chart's
 * target is known only when the pod renders, so the `target-feature` rule reads them then.
 */
export class FeatureUses {
  private readonly uses: FeatureUse[] = [];

  /** Every use, in the order declared. */
  public get all(): readonly FeatureUse[] {
    return this.uses;
  }

  /** Records that `what` renders `feature` at `field`. */
  public add(feature: KubernetesFeature, what: string, field: string): void {
    this.uses.push({ feature, what, field });
  }
}
