/** A feature gate's history, as upstream's versioned specs give it. */
export interface UpstreamFeatureGate {
  /** The gate's name, as `--feature-gates` takes it. */
  readonly gate: string;
  /** The number of its KEP (kubernetes/enhancements). */
  readonly kep: number;
  /** The first minor version from which it is on by default (1.N). */
  readonly firstMinor: number;
  /** The first minor version where it is locked on (LockToDefault): it can no longer be turned off. */
  readonly lockedFrom?: number;
  /** Its stages with their first versions; a beta says whether it is on by default. */
  readonly stages: string;
  /** The module whose kube_features.go it was read from. */
  readonly readFrom: string;
}
