import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubernetesTarget } from './kubernetes-target';
import { ContainerJson, podTemplateOf, WorkloadJson } from './manifest';
import { effectivePodResources, PodResources, ResourceAmounts } from './pod-resources';
import { RulePolicy } from './rule-policy';
import { checkWorkload, formatProblem, Problem } from './rules';

/** The part a container plays in a multi-container pod. */
export enum ContainerRole {
  /** The workload's own container that the patterns serve. */
  APP = 'app',
  /** Runs to completion before the app starts. */
  INIT = 'init',
  /** Runs beside the app and extends it. */
  SIDECAR = 'sidecar',
  /** A local proxy the app reaches on localhost. */
  AMBASSADOR = 'ambassador',
  /** Turns the app's output into a standard form. */
  ADAPTER = 'adapter',
}

/** How a long-running helper (sidecar, ambassador, adapter) is rendered. */
export enum SidecarMode {
  /** A plain app container: works on every Kubernetes version, but starts in no guaranteed order and keeps a Job running. */
  CLASSIC = 'classic',
  /**
   * An init container with `restartPolicy: Always` (Kubernetes 1.29+): starts before the app, in
   * declared order (gated by its startupProbe), stops after it, and lets a Job complete.
   */
  NATIVE = 'native',
}

/** One container a pattern added, in the order it was added. */
export interface PatternContainer {
  readonly role: ContainerRole;
  readonly container: kplus.Container;
  /** Construct path of the pattern that added it, for error messages. */
  readonly addedBy: string;
  /** How it renders; undefined for init steps. */
  readonly mode?: SidecarMode;
}

/** Kinds whose pods are meant to finish: a classic sidecar would keep them running forever. */
const RUN_TO_COMPLETION_KINDS = ['Job', 'CronJob'];

/** The annotation `kubectl logs` and `kubectl exec` read to pick a container when `-c` is left out. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/**
 * The state the patterns attached to one workload share: the containers they added, the emptyDir
 * volumes they share with the app (one per mount path) and pod-wide options. It lives as a child of
 * the workload, so patterns declared in another chart still render into the workload's manifest,
 * and it finishes the rendered pod spec with what cdk8s-plus-27 cannot express.
 */
export class PodComposition extends Construct {
  /** Construct id of the composition under its workload; part of the construct tree's contract. */
  public static readonly ID = 'MultiContainerPatterns';

  /** The composition of a workload, created on first use. */
  public static of(workload: kplus.AbstractPod): PodComposition {
    const existing = workload.node.tryFindChild(PodComposition.ID);
    return existing instanceof PodComposition ? existing : new PodComposition(workload);
  }

  /**
   * The container `kubectl logs`/`exec` use without `-c` (the default-container annotation);
   * an annotation set on the pod template by hand wins.
   * @default - the app container the first pattern attached to
   */
  public defaultContainer?: string;

  private readonly _patternContainers: PatternContainer[] = [];
  private readonly sharedVolumes = new Map<string, kplus.Volume>();
  private readonly mountedPaths = new Map<kplus.Container, Set<string>>();
  private readonly printedWarnings = new Set<string>();
  private processNamespaceShared = false;
  private budget?: ResourceAmounts;
  /** What the last validation rendered and found, for the checks and render that follow in the same synth. */
  private validated?: { manifest: WorkloadJson; problems: string[] };

  private constructor(public readonly workload: kplus.AbstractPod) {
    super(workload, PodComposition.ID);
    this.finishRenderedPodSpec();
    this.node.addValidation({ validate: () => this.validatePod() });
  }

  /** The containers patterns added to this workload, in the order they were added. */
  public get patternContainers(): PatternContainer[] {
    return [...this._patternContainers];
  }

  /** The workload's manifest as it will be written. */
  public get manifest(): WorkloadJson {
    return ApiObject.of(this.workload).toJson() as WorkloadJson;
  }

  /** The pod's effective requests and limits, by the Kubernetes rule (native sidecars included). */
  public get effectiveResources(): PodResources {
    return effectivePodResources(podTemplateOf(this.manifest).spec);
  }

  /** Fails synth when the pod's effective limits exceed these amounts. */
  public limitPodResources(budget: ResourceAmounts): void {
    this.budget = budget;
  }

  /**
   * Lets the pod's containers see and signal each other's processes (`shareProcessNamespace`),
   * e.g. for a sidecar that reloads the app with a signal. cdk8s-plus-27 has no prop for it.
   */
  public shareProcessNamespace(): void {
    this.processNamespaceShared = true;
  }

  /**
   * The app container a pattern serves: the one given, else the workload's first container.
   * Patterns wire volumes and env into it when they are created, so it must exist by then.
   */
  public appContainer(patternPath: string, app?: kplus.Container): kplus.Container {
    if (app) {
      if (!this.workload.containers.includes(app)) {
        throw new Error(
          `${patternPath}: the app container '${app.name}' is not a container of workload ${this.workload.node.path}. ` +
            'Pass a container returned by addContainer on that workload.',
        );
      }
      this.defaultContainer ??= app.name;
      return app;
    }
    const first = this.workload.containers[0];
    if (!first) {
      throw new Error(
        `${patternPath}: workload ${this.workload.node.path} has no app container yet. ` +
          'Call workload.addContainer(...) (or pass `containers`) before attaching patterns, or pass `app`.',
      );
    }
    this.defaultContainer ??= first.name;
    return first;
  }

  /**
   * Adds a pattern's container. Init steps become init containers; the long-running helpers become
   * app containers (classic) or init containers with restartPolicy Always (native), as `mode` says,
   * by default native where the workload's chart targets Kubernetes 1.29 or later.
   */
  public addPatternContainer(
    pattern: Construct,
    role: ContainerRole,
    props: kplus.ContainerProps,
    mode?: SidecarMode,
  ): kplus.Container {
    if (role === ContainerRole.INIT) {
      return this.record(pattern, role, this.workload.addInitContainer(props));
    }
    const target = KubernetesTarget.of(this.workload);
    const chosen = mode ?? (target.supportsNativeSidecars ? SidecarMode.NATIVE : SidecarMode.CLASSIC);
    const where = `${pattern.node.path}: the ${role} '${props.name}'`;
    if (chosen === SidecarMode.NATIVE && !target.supportsNativeSidecars) {
      throw new Error(
        `${where} is native, but workload ${this.workload.node.path} targets Kubernetes ${target}, whose API server ` +
          'drops restartPolicy on init containers (the pod would stay in Init). ' +
          'Call KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart, or use mode: SidecarMode.CLASSIC.',
      );
    }
    const kind = ApiObject.of(this.workload).kind;
    if (chosen === SidecarMode.CLASSIC && RUN_TO_COMPLETION_KINDS.includes(kind)) {
      throw new Error(
        `${where} would be a classic container in ${kind} ${this.workload.node.path}, which keeps the ${kind}'s pods ` +
          'running after the app finishes, so it never completes. Use native mode: ' +
          'KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart (or mode: SidecarMode.NATIVE).',
      );
    }
    const container =
      chosen === SidecarMode.NATIVE ? this.workload.addInitContainer(props) : this.workload.addContainer(props);
    return this.record(pattern, role, container, chosen);
  }

  /**
   * Mounts an emptyDir shared by every container that mounts `path` through this composition,
   * so an app, a log shipper and a log adapter all see the same directory.
   */
  public shareDirectory(container: kplus.Container, path: string, options: kplus.MountOptions = {}): kplus.Volume {
    let volume = this.sharedVolumes.get(path);
    if (!volume) {
      volume = kplus.Volume.fromEmptyDir(this, `Shared${this.sharedVolumes.size}`, sharedVolumeName(path));
      this.sharedVolumes.set(path, volume);
    }
    const paths = this.mountedPaths.get(container) ?? new Set<string>();
    if (!paths.has(path)) {
      container.mount(path, volume, options);
      paths.add(path);
      this.mountedPaths.set(container, paths);
    }
    return volume;
  }

  private record(pattern: Construct, role: ContainerRole, container: kplus.Container, mode?: SidecarMode): kplus.Container {
    this._patternContainers.push({ role, container, addedBy: pattern.node.path, mode });
    return container;
  }

  /**
   * Whole-pod rules, checked on the manifest as it will be written (so they see every container,
   * whoever added it) when the app synthesizes, before any file is written. Warnings are printed.
   */
  private validatePod(): string[] {
    // cdk8s validates the app, then each chart again as it writes it, then renders it, all within one
    // synchronous synth: the first validation's manifest and findings serve the other two, so the pod
    // is rendered and checked once. They are dropped when the synth returns, so later changes to the
    // workload are always rendered anew.
    if (this.validated) return this.validated.problems;
    const manifest = this.manifest;
    const { errors, warnings } = checkWorkload(manifest, {
      budget: this.budget,
      levelOf: (rule, container) => RulePolicy.levelOf(this.workload, rule, container),
    });
    for (const warning of warnings) {
      const message = `Warning: [${this.workload.node.path}] ${this.describe(warning)}`;
      if (!this.printedWarnings.has(message)) console.warn(message);
      this.printedWarnings.add(message);
    }
    const problems = errors.map((problem) => this.describe(problem));
    if (problems.length === 0) {
      // A failed validation ends the synth: nothing is kept for a retry after a fix.
      this.validated = { manifest, problems };
      queueMicrotask(() => (this.validated = undefined));
    }
    return problems;
  }

  /** A problem as text, saying which pattern added its container, so users find the construct to fix. */
  private describe(problem: Problem): string {
    const added = problem.container === undefined ? undefined : this._patternContainers.find(({ container }) => container.name === problem.container);
    return formatProblem(problem, added?.addedBy);
  }

  /**
   * What cdk8s-plus-27 cannot render, set on the rendered manifest (after its 1.27 field filter):
   * native sidecars' restartPolicy and startupProbe; for Pod Security Standards "restricted",
   * seccompProfile RuntimeDefault and capabilities dropped wherever the workload set none; the
   * default-container annotation and shareProcessNamespace.
   */
  private finishRenderedPodSpec(): void {
    const apiObject = ApiObject.of(this.workload);
    const render = apiObject.toJson.bind(apiObject);
    apiObject.toJson = () => {
      const validated = this.validated;
      if (validated) {
        this.validated = undefined;
        return validated.manifest;
      }
      const manifest = render() as WorkloadJson;
      const template = podTemplateOf(manifest);
      const spec = template.spec;
      for (const { container, mode } of this._patternContainers) {
        if (mode === SidecarMode.NATIVE) {
          makeNativeSidecar(spec.initContainers?.find((c) => c.name === container.name));
        }
      }
      const securityContext = spec.securityContext ?? {};
      spec.securityContext = { ...securityContext, seccompProfile: securityContext.seccompProfile ?? { type: 'RuntimeDefault' } };
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        // Containers that say nothing of capabilities (the app's, by cdk8s-plus default) drop them all.
        const context = container.securityContext ?? {};
        container.securityContext = { ...context, capabilities: context.capabilities ?? { drop: ['ALL'] } };
      }
      if (this.processNamespaceShared) spec.shareProcessNamespace = true;
      if (this.defaultContainer) {
        template.metadata = template.metadata ?? {};
        template.metadata.annotations = { [DEFAULT_CONTAINER_ANNOTATION]: this.defaultContainer, ...template.metadata.annotations };
      }
      return manifest;
    };
  }
}

/**
 * Turns a rendered init container into a native sidecar. One that listens gets a startupProbe on
 * its first port, so the containers after it (the app included) start only once it accepts connections.
 */
function makeNativeSidecar(container: ContainerJson | undefined): void {
  if (!container) return;
  container.restartPolicy = 'Always';
  const port = container.ports?.[0]?.containerPort;
  if (port !== undefined && container.startupProbe === undefined) {
    container.startupProbe = { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 30 };
  }
}

/** A volume name (DNS-1123 label) that tells what it holds, e.g. `shared-var-log-app`. */
function sharedVolumeName(path: string): string {
  const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `shared-${slug || 'root'}`.slice(0, 63).replace(/-+$/, '');
}
