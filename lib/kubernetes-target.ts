import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** A Kubernetes minor version the manifests are written for. */
export class KubernetesVersion {
  /** What cdk8s-plus-27 and the vendored 1.27 schema describe: no native sidecars. */
  public static readonly V1_27 = new KubernetesVersion(27);
  /** Native sidecars (init containers with restartPolicy Always) beta and on by default. */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** Native sidecars GA. */
  public static readonly V1_33 = new KubernetesVersion(33);

  /** A version written `1.N`, e.g. `KubernetesVersion.of('1.30')`. */
  public static of(version: string): KubernetesVersion {
    const match = /^1\.(\d+)$/.exec(version);
    if (!match) {
      throw new Error(`Kubernetes version '${version}' is not of the form 1.N. Write it like '1.29'.`);
    }
    return new KubernetesVersion(Number(match[1]));
  }

  private constructor(public readonly minor: number) {}

  /** Whether init containers may have restartPolicy Always (1.29 and later). */
  public get supportsNativeSidecars(): boolean {
    return this.minor >= 29;
  }

  public toString(): string {
    return `1.${this.minor}`;
  }
}

const targets = new WeakMap<Chart, KubernetesVersion>();

/**
 * The Kubernetes version a chart's manifests target, which decides how sidecars render.
 * Set it once per chart; nested charts inherit it; charts without one target 1.27.
 */
export class KubernetesTarget {
  /** Makes every workload in `chart` (and its nested charts) target `version`. */
  public static set(chart: Chart, version: KubernetesVersion): void {
    targets.set(chart, version);
  }

  /** The version the chart holding `scope` targets. */
  public static of(scope: IConstruct): KubernetesVersion {
    for (const construct of scope.node.scopes.reverse()) {
      const version = construct instanceof Chart ? targets.get(construct) : undefined;
      if (version) return version;
    }
    return KubernetesVersion.V1_27;
  }
}
