import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { imageWarnings, MetadataJson, metadataProblems, podSpecProblems, PodSpecJson as RuleSpecJson } from './rules';

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

/** One container a pattern added, in the order it was added. */
export interface PatternContainer {
  readonly role: ContainerRole;
  readonly container: kplus.Container;
  /** Construct path of the pattern that added it, for error messages. */
  readonly addedBy: string;
}

/** The parts of a rendered pod spec the composition rewrites. */
interface PodSpecJson {
  securityContext?: Record<string, unknown>;
}

/** A rendered workload manifest: a Pod's spec is the pod spec, the others hold a pod template. */
interface WorkloadJson {
  kind: string;
  metadata: MetadataJson;
  spec: PodSpecJson & {
    template?: { metadata?: MetadataJson; spec: PodSpecJson };
    jobTemplate?: { spec: { template: { metadata?: MetadataJson; spec: PodSpecJson } } };
  };
}

/**
 * The state the patterns attached to one workload share: the containers they added and the
 * emptyDir volumes they share with the app, one per mount path. It lives as a child of the
 * workload, so patterns declared in another chart still render into the workload's manifest.
 */
export class PodComposition extends Construct {
  /** Construct id of the composition under its workload; part of the construct tree's contract. */
  public static readonly ID = 'MultiContainerPatterns';

  /** The composition of a workload, created on first use. */
  public static of(workload: kplus.AbstractPod): PodComposition {
    const existing = workload.node.tryFindChild(PodComposition.ID);
    return existing instanceof PodComposition ? existing : new PodComposition(workload);
  }

  private readonly _patternContainers: PatternContainer[] = [];
  private readonly sharedVolumes = new Map<string, kplus.Volume>();
  private readonly mountedPaths = new Map<kplus.Container, Set<string>>();
  private readonly printedWarnings = new Set<string>();

  private constructor(public readonly workload: kplus.AbstractPod) {
    super(workload, PodComposition.ID);
    this.hardenRenderedPodSpec();
    this.node.addValidation({ validate: () => this.validatePod() });
  }

  /** The containers patterns added to this workload, in the order they were added. */
  public get patternContainers(): PatternContainer[] {
    return [...this._patternContainers];
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
      return app;
    }
    const first = this.workload.containers[0];
    if (!first) {
      throw new Error(
        `${patternPath}: workload ${this.workload.node.path} has no app container yet. ` +
          'Call workload.addContainer(...) (or pass `containers`) before attaching patterns, or pass `app`.',
      );
    }
    return first;
  }

  /** Adds a pattern's container: init steps as init containers, the other patterns beside the app. */
  public addPatternContainer(pattern: Construct, role: ContainerRole, props: kplus.ContainerProps): kplus.Container {
    const container =
      role === ContainerRole.INIT ? this.workload.addInitContainer(props) : this.workload.addContainer(props);
    this._patternContainers.push({ role, container, addedBy: pattern.node.path });
    return container;
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

  /**
   * Whole-pod rules, checked on the manifest as it will be written (so they see every container,
   * whoever added it) when the app synthesizes, before any file is written. Warnings are printed.
   */
  private validatePod(): string[] {
    const manifest = ApiObject.of(this.workload).toJson() as WorkloadJson;
    const podSpec = podSpecOf(manifest) as unknown as RuleSpecJson;
    for (const warning of imageWarnings(podSpec)) {
      // cdk8s may validate a construct more than once per synth: say each thing once.
      const message = `Warning: [${this.workload.node.path}] ${this.describe(warning)}`;
      if (!this.printedWarnings.has(message)) console.warn(message);
      this.printedWarnings.add(message);
    }
    return [
      ...metadataProblems(manifest.kind, manifest.metadata),
      ...metadataProblems('pod template', podTemplateMetadataOf(manifest)),
      ...podSpecProblems(podSpec),
    ].map((problem) => this.describe(problem));
  }

  /** Adds which pattern added a container to a message about it, so users find the construct to fix. */
  private describe(problem: string): string {
    const subject = /^container '([^']+)'/.exec(problem);
    const added = subject && this._patternContainers.find(({ container }) => container.name === subject[1]);
    return added ? problem.replace(subject[0], `${subject[0]} (added by ${added.addedBy})`) : problem;
  }

  /**
   * cdk8s-plus-27 has no seccompProfile prop, and Pod Security Standards "restricted" asks for one:
   * set RuntimeDefault on the rendered pod spec unless the workload set its own.
   */
  private hardenRenderedPodSpec(): void {
    const apiObject = ApiObject.of(this.workload);
    const render = apiObject.toJson.bind(apiObject);
    apiObject.toJson = () => {
      const manifest = render();
      const podSpec = podSpecOf(manifest as WorkloadJson);
      const securityContext = podSpec.securityContext ?? {};
      podSpec.securityContext = { ...securityContext, seccompProfile: securityContext.seccompProfile ?? { type: 'RuntimeDefault' } };
      return manifest;
    };
  }
}

/** A volume name (DNS-1123 label) that tells what it holds, e.g. `shared-var-log-app`. */
function sharedVolumeName(path: string): string {
  const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `shared-${slug || 'root'}`.slice(0, 63).replace(/-+$/, '');
}

/** Where a workload manifest keeps its pod spec. */
function podSpecOf(manifest: WorkloadJson): PodSpecJson {
  return manifest.spec.jobTemplate?.spec.template.spec ?? manifest.spec.template?.spec ?? manifest.spec;
}

/** Labels and annotations of the pods a workload creates (a Pod's own metadata is checked as the object's). */
function podTemplateMetadataOf(manifest: WorkloadJson): MetadataJson {
  return manifest.spec.jobTemplate?.spec.template.metadata ?? manifest.spec.template?.metadata ?? {};
}
