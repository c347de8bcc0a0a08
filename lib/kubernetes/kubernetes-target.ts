import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { heldOn, holdOn } from './held-state';

/** A Kubernetes feature the patterns render only for targets that have it. */
export enum KubernetesFeature {
  /** Init containers with `restartPolicy: Always` (KEP-753). */
  NATIVE_SIDECARS = 'native sidecars',
  /** `lifecycle.preStop.sleep` (KEP-3960). */
  PRESTOP_SLEEP = 'the preStop sleep action',
  /** `spec.resources` on the pod (KEP-2837). */
  POD_LEVEL_RESOURCES = 'pod-level resources',
  /** `restartPolicyRules` on containers (KEP-5307). */
  CONTAINER_RESTART_RULES = 'container restart rules',
  /** Env variables from a key of a file in an emptyDir, `valueFrom.fileKeyRef` (KEP-3721). */
  ENV_FILES = 'env files',
  /** An OCI image mounted read-only as a volume, `volumes[].image` (KEP-4639). */
  IMAGE_VOLUMES = 'image volumes',
  /** The restart rule action `RestartAllContainers` (KEP-5532). */
  RESTART_ALL_CONTAINERS = 'restarting all containers on a container exit',
  /** Resizing the cpu and memory of running containers in place (KEP-1287). */
  IN_PLACE_RESIZE = 'in-place resize of containers',
  /** Resizing init containers, native sidecars included, in place (KEP-1287). */
  IN_PLACE_RESIZE_INIT_CONTAINERS = 'in-place resize of init containers',
  /** Resizing pod-level resources in place (KEP-5419). */
  IN_PLACE_RESIZE_POD_LEVEL_RESOURCES = 'in-place resize of pod-level resources',
}

/** When a feature became usable (on by default) and how it matured, with the source. */
export interface FeatureHistory {
  readonly feature: KubernetesFeature;
  /** The first minor version where it is on by default: what a target needs. */
  readonly firstMinor: number;
  /** Its stages, e.g. 'beta (on) 1.29, GA 1.33'. */
  readonly stages: string;
  /** Where this is written down. */
  readonly source: string;
}

/** The feature table (kubernetes/website feature-gates pages and the KEPs named). */
export const FEATURE_HISTORY: readonly FeatureHistory[] = [
  {
    feature: KubernetesFeature.NATIVE_SIDECARS,
    firstMinor: 29,
    stages: 'alpha 1.28, beta (on) 1.29, GA 1.33',
    source: 'KEP-753, feature gate SidecarContainers',
  },
  {
    feature: KubernetesFeature.PRESTOP_SLEEP,
    firstMinor: 30,
    stages: 'alpha 1.29, beta (on) 1.30, GA 1.34',
    source: 'KEP-3960, feature gate PodLifecycleSleepAction',
  },
  {
    feature: KubernetesFeature.POD_LEVEL_RESOURCES,
    firstMinor: 34,
    stages: 'alpha 1.32, beta (on) 1.34',
    source: 'KEP-2837, feature gate PodLevelResources',
  },
  {
    feature: KubernetesFeature.CONTAINER_RESTART_RULES,
    firstMinor: 35,
    stages: 'alpha 1.34, beta (on) 1.35',
    source: 'KEP-5307, feature gate ContainerRestartRules',
  },
  {
    feature: KubernetesFeature.ENV_FILES,
    firstMinor: 35,
    stages: 'alpha 1.34, beta (on) 1.35',
    source: 'KEP-3721, feature gate EnvFiles',
  },
  {
    feature: KubernetesFeature.IMAGE_VOLUMES,
    firstMinor: 35,
    stages: 'alpha 1.31, beta (on) 1.35, GA 1.36',
    source: 'KEP-4639, feature gate ImageVolume',
  },
  {
    feature: KubernetesFeature.RESTART_ALL_CONTAINERS,
    firstMinor: 36,
    stages: 'alpha 1.35, beta (on) 1.36',
    source: 'KEP-5532, feature gate RestartAllContainersOnContainerExits',
  },
  {
    feature: KubernetesFeature.IN_PLACE_RESIZE,
    firstMinor: 33,
    stages: 'alpha 1.27, beta (on) 1.33, GA 1.35',
    source: 'KEP-1287, feature gate InPlacePodVerticalScaling',
  },
  {
    feature: KubernetesFeature.IN_PLACE_RESIZE_INIT_CONTAINERS,
    firstMinor: 34,
    stages: 'beta (on) 1.34, GA 1.37',
    source: 'KEP-1287, feature gate InPlacePodVerticalScalingInitContainers',
  },
  {
    feature: KubernetesFeature.IN_PLACE_RESIZE_POD_LEVEL_RESOURCES,
    firstMinor: 36,
    stages: 'alpha 1.35, beta (on) 1.36',
    source: 'KEP-5419, feature gate InPlacePodLevelResourcesVerticalScaling',
  },
];

const OLDEST_MINOR = 27;
const NEWEST_MINOR = 37;

/** A Kubernetes minor version the manifests are written for, 1.27 to 1.37. */
export class KubernetesVersion {
  /** What cdk8s-plus-27 and the vendored 1.27 schema describe: no native sidecars. */
  public static readonly V1_27 = new KubernetesVersion(27);
  /** Native sidecars (init containers with restartPolicy Always) beta and on by default. */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** The preStop sleep action beta and on by default. */
  public static readonly V1_30 = new KubernetesVersion(30);
  /** Native sidecars GA. */
  public static readonly V1_33 = new KubernetesVersion(33);
  /** Pod-level resources beta and on by default; preStop sleep GA. */
  public static readonly V1_34 = new KubernetesVersion(34);
  /** Container restart rules and env files beta and on by default; image volumes on by default. */
  public static readonly V1_35 = new KubernetesVersion(35);
  /** Restarting all containers on a container's exit beta and on by default; image volumes GA. */
  public static readonly V1_36 = new KubernetesVersion(36);
  /** In-place resize of init containers GA; native sidecars' own ephemeral-storage limits enforced. */
  public static readonly V1_37 = new KubernetesVersion(37);

  /** A version written `1.N`, e.g. `KubernetesVersion.parse('1.30')`. */
  public static parse(version: string): KubernetesVersion {
    const match = /^1\.(\d+)$/.exec(String(version));
    if (!match) {
      throw new Error(`Kubernetes version '${version}' is not of the form 1.N. Write it like '1.29'.`);
    }
    const minor = Number(match[1]);
    if (minor < OLDEST_MINOR || minor > NEWEST_MINOR) {
      throw new Error(`Kubernetes version '${version}' is outside the targets this library knows, 1.${OLDEST_MINOR} to 1.${NEWEST_MINOR}. Pick one of those.`);
    }
    return new KubernetesVersion(minor);
  }

  private constructor(public readonly minor: number) {}

  /** Whether init containers may have restartPolicy Always (1.29 and later). */
  public get supportsNativeSidecars(): boolean {
    return this.supports(KubernetesFeature.NATIVE_SIDECARS);
  }

  /** Whether `feature` is on by default in this version. */
  public supports(feature: KubernetesFeature): boolean {
    return this.minor >= firstMinorOf(feature);
  }

  public toString(): string {
    return `1.${this.minor}`;
  }
}

/**
 * What to say when `feature` is used on `target`, which lacks it: what is used, the first version
 * that has it, and the fix. `what` names the prop or method that asked for it.
 */
export function missingFeature(target: KubernetesVersion, feature: KubernetesFeature, what: string): { message: string; fix: string } {
  const first = `1.${firstMinorOf(feature)}`;
  return {
    message: `${what} needs ${feature}, first on by default in Kubernetes ${first}, but the chart targets ${target}`,
    fix: `Call KubernetesTarget.set(chart, KubernetesVersion.parse('${first}')) if your clusters run ${first} or later, or do without it.`,
  };
}

function firstMinorOf(feature: KubernetesFeature): number {
  return FEATURE_HISTORY.find((f) => f.feature === feature)!.firstMinor;
}

/** A chart's target lives on the chart. */
const TARGET_ID = 'patterns.KubernetesTarget';

/**
 * The Kubernetes version a chart's manifests target, which decides how sidecars render.
 * Set it once per chart; nested charts inherit it; charts without one target 1.27.
 */
export class KubernetesTarget {
  /** Makes every workload in `chart` (and its nested charts) target `version`. */
  public static set(chart: Chart, version: KubernetesVersion): void {
    holdOn(chart, TARGET_ID, () => ({ version })).version = version;
  }

  /** The version the chart holding `scope` targets. */
  public static of(scope: IConstruct): KubernetesVersion {
    // Up the tree from the scope, so the nearest chart with a target wins; no copy of the scopes.
    for (let construct: IConstruct | undefined = scope; construct; construct = construct.node.scope) {
      const version = construct instanceof Chart ? heldOn<{ version: KubernetesVersion }>(construct, TARGET_ID)?.version : undefined;
      if (version) return version;
    }
    return KubernetesVersion.V1_27;
  }
}
