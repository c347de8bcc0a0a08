import { posix } from 'path';
import { ApiObject, JsonPatch, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { renderWithoutUserPatches, replaceRender } from './cdk8s-patch';
import { KubernetesFeature, KubernetesTarget, KubernetesVersion, missingFeature } from './kubernetes-target';
import { containerNames, ContainerDependency, DependencyCondition, dependencyProblems, gracePeriodProblems, orderInitContainers, renderDrain } from './lifecycle';
import { Interned } from './interned';
import { ContainerJson, containersOf, malformedPart, named, podTemplateOf, PodSpecJson, PodTemplateJson, withSharedShapes, WorkloadJson } from './manifest';
import { effectivePodResources, podLevelResourceProblems, podLevelResourcesJson, PodResources, ResourceAmounts } from './pod-resources';
import { quantityProblem } from './quantity';
import { Rule, RulePolicy } from './rule-policy';
import { addDuplicateObjectValidation, byLevel, formatProblem, Problem, workloadProblems } from './rules';
import { checkSharedPath, describeValue } from './shared-path';

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
  /** The mode asked for; undefined for init steps, and for helpers that follow the chart's target. */
  readonly requestedMode?: SidecarMode;
  /** Whether it runs another image than the default on resources its pattern sized for busybox. */
  readonly sizedForDefaultImage: boolean;
  /** How many init containers the workload had when it was added: where a native sidecar goes. */
  readonly initContainersBefore: number;
  /** Seconds it drains before it gets SIGTERM, or undefined. */
  readonly drainSeconds?: number;
}

/** A pattern container as recorded: the pattern's path is read from the construct when a message needs it. */
class AddedContainer implements PatternContainer {
  public readonly requestedMode?: SidecarMode;
  public readonly sizedForDefaultImage: boolean;
  public readonly drainSeconds?: number;

  constructor(
    public readonly role: ContainerRole,
    public readonly container: kplus.Container,
    private readonly pattern: IConstruct,
    options: PatternContainerOptions,
    public readonly initContainersBefore: number,
  ) {
    this.requestedMode = options.mode;
    this.sizedForDefaultImage = options.sizedForDefaultImage ?? false;
    this.drainSeconds = options.drainSeconds;
  }

  public get addedBy(): string {
    return this.pattern.node.path;
  }
}

/** What a pattern adds to a workload: a container, how it runs, and who sized it. */
export interface PatternContainerOptions {
  /** Classic or native; only for long-running helpers. @default - native where the chart targets 1.29+, else classic */
  readonly mode?: SidecarMode;
  /** Whether it runs another image than the default on the pattern's busybox-sized resources. @default false */
  readonly sizedForDefaultImage?: boolean;
  /** Seconds it needs between the stop signal and exit (flushing, finishing connections). @default - none */
  readonly drainSeconds?: number;
}

/** How one container mounts a shared directory. */
export interface DirectoryMountOptions {
  /**
   * Where the directory is mounted in this container.
   * @default - the directory's path (its path in the app)
   */
  readonly mountPath?: string;
  /**
   * Mount it read-only. Where several patterns mount one directory in one container, it is
   * read-only only if every one of them asks for that, so attach order never matters.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** How a shared emptyDir is backed. */
export interface SharedDirectoryOptions {
  /**
   * `EmptyDirMedium.MEMORY` keeps it in RAM (tmpfs), e.g. for secrets an init step renders; it
   * counts against the memory limit of the containers that write it.
   * @default - the node's disk
   */
  readonly medium?: kplus.EmptyDirMedium;
  /**
   * The most it may hold; the pod is evicted above it.
   * @default - no limit
   */
  readonly sizeLimit?: Size;
}

// Records keep the declaring construct, not its path: a path is a new string each time it is read,
// and it is only needed in messages.

interface SharedDirectory {
  readonly path: string;
  readonly volumeName: string;
  options: SharedDirectoryOptions;
  readonly declaredBy: IConstruct;
}

interface DirectoryMount {
  readonly directory: SharedDirectory;
  readonly container: kplus.Container;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly declaredBy: IConstruct;
}

/** An emptyDir on the node's disk without a size limit: one object shared by every directory declared so. */
const ON_NODE_DISK: SharedDirectoryOptions = Object.freeze({});

/** Kinds whose pods are meant to finish: a classic sidecar would keep them running forever. */
const RUN_TO_COMPLETION_KINDS = ['Job', 'CronJob'];


/** The composition of each workload a pattern was attached to. */
const COMPOSITIONS = new WeakMap<kplus.AbstractPod, PodComposition>();

/** Which composition rendered a manifest, so synth can write its runbook from the very object it writes. */
const RENDERED_BY = new WeakMap<object, PodComposition>();

/**
 * What the patterns attached to one workload declared: the containers they added, the directories
 * they share, pod-wide options. It belongs to the workload, so patterns declared in another chart
 * still render into the workload's manifest. Declarations are turned into the manifest when it is
 * rendered, never before, so the chart's target and later attachments are always honoured.
 *
 * It is not a construct: cdk8s walks every construct of the app in each of its whole-app passes, one
 * per chart. Its checks run when the workload renders, and their messages start with the workload's
 * path, e.g. `[chart/Web] container 'shipper' (added by chart/Shipper): ...`.
 */
export class PodComposition {
  /** The annotation `kubectl logs` and `kubectl exec` read to pick a container when `-c` is left out. */
  public static readonly DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

  /** The composition of a workload, created on first use. */
  public static of(workload: kplus.AbstractPod): PodComposition {
    return COMPOSITIONS.get(workload) ?? new PodComposition(workload);
  }

  /** The compositions of the workloads under `scope` (itself included), in construct-tree order. */
  public static findAll(scope: IConstruct): PodComposition[] {
    return scope.node.findAll().flatMap((c) => {
      const composition = c instanceof kplus.AbstractPod ? COMPOSITIONS.get(c) : undefined;
      return composition ? [composition] : [];
    });
  }

  /**
   * The composition that rendered `manifest` (an object a workload's toJson returned), if any.
   * @internal
   */
  public static _renderedBy(manifest: object): PodComposition | undefined {
    return RENDERED_BY.get(manifest);
  }

  /**
   * The container `kubectl logs`/`exec` use without `-c` (the default-container annotation);
   * an annotation set on the pod template by hand wins.
   * @default - the app container the first pattern attached to
   */
  public defaultContainer?: string;

  private readonly _patternContainers: PatternContainer[] = [];
  private readonly directories: SharedDirectory[] = [];
  private readonly mounts: DirectoryMount[] = [];
  private readonly envSources: { container: kplus.Container; name: string; value: string; setBy: IConstruct }[] = [];
  /** Warnings already printed, so each shows once however often the pod is checked. */
  private printedWarnings?: string[];
  private readonly dependencies: { dependent: kplus.Container; dependency: kplus.Container; condition: DependencyCondition }[] = [];
  private processNamespaceShared = false;
  private budget?: ResourceAmounts;
  private podLevel?: PodResources;

  private constructor(public readonly workload: kplus.AbstractPod) {
    COMPOSITIONS.set(workload, this);
    replaceRender(ApiObject.of(workload), () => this.renderChecked());
    addDuplicateObjectValidation(workload);
  }

  /** The containers patterns added to this workload, in the order they were added. */
  public get patternContainers(): PatternContainer[] {
    return [...this._patternContainers];
  }

  /** The workload's manifest as it will be written (a Kubernetes object as JSON). */
  public get manifest(): Record<string, unknown> {
    return this._manifest as unknown as Record<string, unknown>;
  }

  /**
   * The manifest as the library reads it.
   * @internal
   */
  public get _manifest(): WorkloadJson {
    return this.render();
  }

  /** The pod's effective requests and limits, by the Kubernetes rule (native sidecars included). */
  public get effectiveResources(): PodResources {
    return effectivePodResources(podTemplateOf(this._manifest).spec);
  }

  /** How a pattern container renders for the workload's current target; undefined for init steps. */
  public modeOf(added: PatternContainer): SidecarMode | undefined {
    return modeUnder(added, KubernetesTarget.of(this.workload));
  }

  /** Fails synth when the pod's effective limits exceed these amounts. */
  public enforceResourceBudget(budget: ResourceAmounts): void {
    this.budget = budget;
  }

  /**
   * Renders `spec.resources`, the pod's own requests and limits (Kubernetes 1.34+, KEP-2837): the
   * pod's cgroup, within which its containers share. Synth checks the KEP's rules: the containers'
   * aggregated requests within the pod's, no container limit above the pod's.
   */
  public usePodLevelResources(resources: PodResources): void {
    for (const kind of ['requests', 'limits'] as const) {
      for (const field of ['cpuMillis', 'memoryMebibytes'] as const) {
        const amount = (resources?.[kind] as Partial<ResourceAmounts> | undefined)?.[field];
        if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0) {
          throw new Error(
            `${this.workload.node.path}: usePodLevelResources ${kind}.${field} is ${describeValue(amount)}. ` +
              'Give whole, non-negative numbers: { requests: { cpuMillis, memoryMebibytes }, limits: { cpuMillis, memoryMebibytes } }.',
          );
        }
      }
    }
    this.podLevel = resources;
  }

  /** The pod-level resources set with `usePodLevelResources`, if any. */
  public get podLevelResources(): PodResources | undefined {
    return this.podLevel;
  }

  /**
   * Declares that `dependent` starts only once `dependency` is started, ready (its startup probe
   * passed) or completed. Synth turns it into what guarantees it (init order, native sidecars and
   * their startup probes) and fails when the target cannot guarantee it, or on a cycle.
   */
  public addDependency(dependent: kplus.Container, dependency: kplus.Container, condition = DependencyCondition.READY): void {
    const own = [...this.workload.containers, ...this.workload.initContainers];
    for (const [role, container] of [['dependent', dependent], ['dependency', dependency]] as const) {
      if (!own.includes(container)) {
        throw new Error(
          `${this.workload.node.path}: the ${role} ${container instanceof kplus.Container ? `'${container.name}'` : describeValue(container)} is not a container of workload ${this.workload.node.path}. ` +
            'Give containers of this workload (a pattern\'s `container`, or one from workload.addContainer).',
        );
      }
    }
    if (!Object.values(DependencyCondition).includes(condition)) {
      throw new Error(`${this.workload.node.path}: condition ${describeValue(condition)} is not a DependencyCondition. Give STARTED, READY or COMPLETED.`);
    }
    this.dependencies.push({ dependent, dependency, condition });
  }

  /** The declared dependencies, by container name. */
  public get containerDependencies(): ContainerDependency[] {
    return this.dependencies.map(({ dependent, dependency, condition }) => ({ dependent: dependent.name, dependency: dependency.name, condition }));
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
   * Patterns wire env into it when they are created, so it must exist by then.
   * @internal
   */
  public _appContainer(patternPath: string, app?: kplus.Container): kplus.Container {
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
   * Adds a pattern's container. Init steps become init containers now. Long-running helpers are
   * declared as app containers and placed when the pod is rendered: left there (classic) or made
   * init containers with restartPolicy Always (native), as the target of the workload's chart says
   * at that time, so `KubernetesTarget.set` may come before or after.
   * @internal
   */
  public _addPatternContainer(
    pattern: Construct,
    role: ContainerRole,
    props: kplus.ContainerProps,
    options: PatternContainerOptions = {},
  ): kplus.Container {
    const initContainersBefore = this.workload.initContainers.length;
    let container: kplus.Container;
    if (role === ContainerRole.INIT) {
      const field = props.startup || props.portNumber !== undefined ? 'a startup probe (a port given as portNumber adds one: use ports instead)'
        : props.readiness ? 'a readiness probe' : props.liveness ? 'a liveness probe' : props.lifecycle ? 'lifecycle hooks' : undefined;
      if (field) {
        throw new Error(
          `${pattern.node.path}: init step '${props.name}' has ${field}, but an init container that runs to completion cannot have them. ` +
            'Remove it, or make the container a Sidecar in native mode, which can.',
        );
      }
      container = this.workload.addInitContainer(props);
    } else {
      container = this.workload.addContainer(props);
    }
    this._patternContainers.push(new AddedContainer(role, container, pattern, options, initContainersBefore));
    return container;
  }

  /**
   * Declares an emptyDir shared by every container that mounts `path` through this composition, so
   * an app, a log shipper and a log adapter all see the same directory. `path` names the directory
   * (its path in the app); each container may mount it elsewhere and read-only. Returns the
   * volume's name in the pod.
   * @param backing the emptyDir's medium and size limit; left out, on the node's disk without a limit
   * @internal
   */
  public _shareDirectory(
    declaredBy: Construct,
    container: kplus.Container,
    path: string,
    mount: DirectoryMountOptions = {},
    backing?: SharedDirectoryOptions,
  ): string {
    const directoryPath = checkSharedPath(declaredBy, 'shared path', path);
    const mountPath = mount.mountPath === undefined ? directoryPath : checkSharedPath(declaredBy, 'mount path', mount.mountPath);
    const directory = this.directory(declaredBy, directoryPath, backing ?? ON_NODE_DISK);
    for (const other of this.mounts) {
      if (other.container !== container) continue;
      const samePath = other.mountPath === mountPath;
      if ((other.directory === directory) !== samePath) {
        throw new Error(
          `${declaredBy.node.path}: container '${container.name}' would mount ${samePath ? `two shared directories at ${mountPath}` : `shared directory ${directoryPath} twice, at ${other.mountPath} and ${mountPath}`} ` +
            `(the other mount was declared by ${other.declaredBy.node.path}). Mount each directory once per container, each at a path of its own.`,
        );
      }
    }
    this.mounts.push({ directory, container, mountPath, readOnly: mount.readOnly ?? false, declaredBy });
    return directory.volumeName;
  }

  /**
   * The paths `container`'s mounts show to be directories: where its own volumes and the shared
   * directories are mounted, and every parent of those paths.
   * @internal
   */
  public _directoriesOf(container: kplus.Container): string[] {
    const directories: string[] = [];
    const add = (mountPath: string): void => {
      for (let at = mountPath; at !== '/' && at !== '.' && !directories.includes(at); at = posix.dirname(at)) directories.push(at);
    };
    for (const mount of container.mounts) add(mount.path);
    for (const mount of this.mounts) if (mount.container === container) add(mount.mountPath);
    return directories;
  }

  /**
   * Sets an env variable in a container, refusing to overwrite one another pattern or the user set
   * (cdk8s-plus would silently keep only the last).
   * @internal
   */
  public _setEnv(setBy: Construct, container: kplus.Container, name: string, value: string, fix = 'Rename one of them (an ambassador upstream named `x` sets X_ADDR).'): void {
    const previous = this.envSources.find((e) => e.container === container && e.name === name);
    if (previous || container.env.variables[name] !== undefined) {
      const other = previous ? previous.setBy.node.path : `the container's own env`;
      throw new Error(`${setBy.node.path}: env ${name} of container '${container.name}' is already set by ${other}. ${fix}`);
    }
    container.env.addVariable(name, kplus.EnvValue.fromValue(value));
    this.envSources.push({ container, name, value, setBy });
  }

  /** Variables patterns set that the container's own env replaced afterwards (cdk8s-plus keeps the last silently). */
  private checkOverwrittenEnv(found: Problem[], containers: readonly ContainerJson[]): void {
    for (const { container, name, value, setBy } of this.envSources) {
      const rendered = named(named(containers, container.name)?.env, name);
      if (!rendered || rendered.value === value) continue;
      found.push({
        rule: 'env-overwritten',
        container: container.name,
        field: 'env',
        value: name,
        message: `env ${name}, set by ${setBy.node.path} to '${value}', was replaced afterwards with ${describeValue(rendered.value)}`,
        fix: 'Set the variable once: rename your own variable, or leave it to the pattern.',
      });
    }
  }

  private directory(declaredBy: IConstruct, path: string, backing: SharedDirectoryOptions): SharedDirectory {
    checkBacking(declaredBy, path, backing);
    const existing = this.directories.find((d) => d.path === path);
    if (!existing) {
      const directory = { path, volumeName: sharedVolumeName(path), options: backing, declaredBy };
      this.directories.push(directory);
      return directory;
    }
    // What one declaration leaves out, another may set; only two different values conflict.
    const medium = backing.medium ?? existing.options.medium;
    const sizeLimit = backing.sizeLimit ?? existing.options.sizeLimit;
    const differs = (backing.medium !== undefined && existing.options.medium !== undefined && backing.medium !== existing.options.medium) ||
      (backing.sizeLimit !== undefined && existing.options.sizeLimit !== undefined && quantityOfSize(backing.sizeLimit) !== quantityOfSize(existing.options.sizeLimit));
    if (differs) {
      throw new Error(
        `${declaredBy.node.path}: shared directory ${path} is already declared by ${existing.declaredBy.node.path} with another medium or size limit. ` +
          'Give the same medium and sizeLimit in both, or leave them out in one.',
      );
    }
    existing.options = { medium, sizeLimit };
    return existing;
  }

  /**
   * The library's part of the pod as it will be written: native sidecars placed, shared directories
   * mounted, pod-wide settings. Runs on the output of cdk8s-plus-27 (after its 1.27 field filter,
   * which would drop restartPolicy on init containers) and before the user's JSON patches.
   */
  private finish(manifest: WorkloadJson): void {
    const template = podTemplateOf(manifest);
    const spec = template.spec;
    let placed = 0;
    const target = KubernetesTarget.of(this.workload);
    for (const added of this._patternContainers) {
      if (modeUnder(added, target) !== SidecarMode.NATIVE) continue;
      const sidecar = named(spec.containers, added.container.name);
      if (!sidecar) continue;
      spec.containers.splice(spec.containers.indexOf(sidecar), 1);
      makeNativeSidecar(sidecar);
      spec.initContainers = spec.initContainers ?? [];
      spec.initContainers.splice(added.initContainersBefore + placed, 0, sidecar);
      placed += 1;
    }
    orderInitContainers(spec, this.containerDependencies);
    const sleepAction = target.supports(KubernetesFeature.PRESTOP_SLEEP);
    const rendered = containersOf(spec);
    for (const { container, drainSeconds } of this._patternContainers) {
      if (drainSeconds === undefined) continue;
      const drained = named(rendered, container.name);
      if (drained) renderDrain(drained, drainSeconds, sleepAction);
    }
    if (this.podLevel) spec.resources = podLevelResourcesJson(this.podLevel);
    this.mountSharedDirectories(spec);
    const securityContext = spec.securityContext ?? {};
    if (securityContext.seccompProfile === undefined) {
      spec.securityContext = Object.assign(securityContext, { seccompProfile: { type: 'RuntimeDefault' } });
    }
    if (this.processNamespaceShared) spec.shareProcessNamespace = true;
    if (this.defaultContainer) {
      template.metadata = template.metadata ?? {};
      template.metadata.annotations = { [PodComposition.DEFAULT_CONTAINER_ANNOTATION]: this.defaultContainer, ...template.metadata.annotations };
    }
  }

  private mountSharedDirectories(spec: PodSpecJson): void {
    if (this.directories.length === 0) return;
    const containers = containersOf(spec);
    spec.volumes = spec.volumes ?? [];
    for (const directory of this.directories) {
      const { medium, sizeLimit } = directory.options;
      const emptyDir: Record<string, string> = {};
      if (medium) emptyDir.medium = medium;
      if (sizeLimit) emptyDir.sizeLimit = quantityOfSize(sizeLimit);
      spec.volumes.push({ emptyDir, name: directory.volumeName });
    }
    for (const mount of this.mounts) {
      const container = named(containers, mount.container.name);
      if (!container) continue;
      container.volumeMounts = container.volumeMounts ?? [];
      const existing = named(container.volumeMounts, mount.directory.volumeName);
      if (existing) {
        // Writable wins: a directory some pattern writes to is never made read-only by another.
        if (!mount.readOnly) delete existing.readOnly;
        continue;
      }
      container.volumeMounts.push(
        mount.readOnly
          ? { mountPath: mount.mountPath, name: mount.directory.volumeName, readOnly: true }
          : { mountPath: mount.mountPath, name: mount.directory.volumeName },
      );
    }
  }

  /**
   * Whole-pod rules, checked on the manifest as it renders now (so they see every container, whoever
   * added it, and the user's patches). Each rule's level comes from RulePolicy. Returns the errors;
   * warnings are printed once. Synth runs the same checks on the manifest it writes, and fails on errors.
   */
  public validate(): string[] {
    return this._check(this._manifest);
  }

  /**
   * The rules on `manifest`, rendered by this composition: the errors as messages; warnings printed once.
   * @internal
   */
  public _check(manifest: WorkloadJson): string[] {
    const spec = podTemplateOf(manifest).spec;
    const found = workloadProblems(manifest, this.budget);
    const containers = containersOf(spec);
    this.checkModes(found, manifest.kind, spec);
    this.checkLifecycle(found, spec);
    this.checkOverwrittenEnv(found, containers);
    this.checkContainers(found, spec, containers);
    checkDefaultContainer(found, podTemplateOf(manifest), containers);
    return found.length === 0 ? [] : this.report(found);
  }

  /**
   * The workload's ApiObject renders through this: the manifest, checked. Checks run here, once per
   * render, rather than in cdk8s' validation, which runs over the whole app again before every chart:
   * a check there would render every pod once per chart.
   */
  private renderChecked(): WorkloadJson {
    const manifest = this.render();
    const errors = this._check(manifest);
    if (errors.length > 0) {
      const path = this.workload.node.path;
      // cdk8s' own form for validation errors.
      throw new Error(`Validation failed with the following errors:\n  ${errors.map((error) => `[${path}] ${error}`).join('\n  ')}`);
    }
    RENDERED_BY.set(manifest, this);
    return manifest;
  }

  /**
   * cdk8s-plus-27 renders the workload without the user's JSON patches, the composition finishes it,
   * then the patches apply, so cdk8s' escape hatch can override anything the library set.
   */
  private render(): WorkloadJson {
    const apiObject = ApiObject.of(this.workload);
    const { rendered, userPatches } = renderWithoutUserPatches(apiObject);
    const manifest = rendered as WorkloadJson;
    this.finish(manifest);
    if (userPatches.length === 0) return withSharedShapes(manifest);
    let patched: WorkloadJson;
    try {
      patched = JsonPatch.apply(manifest, ...userPatches);
    } catch (error) {
      const message =
        `${this.workload.node.path}: a JSON patch on this workload does not apply to its manifest (${(error as Error).message}). ` +
        'Check its path against the rendered manifest: patterns add containers, and native sidecars are init containers.';
      throw Object.assign(new Error(message), { cause: error });
    }
    const malformed = malformedPart(patched);
    if (malformed) {
      throw new Error(
        `${this.workload.node.path}: a JSON patch on this workload leaves ${malformed.pointer} ${malformed.value === undefined ? 'missing' : `as ${describeValue(malformed.value)}`}, ` +
          `where the manifest needs ${malformed.want}. Change the patch that targets ${malformed.pointer} (or a part holding it) so it stays ${malformed.want}, or remove that patch.`,
      );
    }
    return withSharedShapes(patched);
  }

  /** Prints the warnings among `found` (each once, however often the pod is checked); returns the errors as messages. */
  private report(found: readonly Problem[]): string[] {
    const { errors, warnings } = byLevel(found, (rule, container) => RulePolicy.levelOf(this.workload, rule as Rule, container));
    for (const warning of warnings) {
      const message = `Warning: [${this.workload.node.path}] ${this.describe(warning)}`;
      if (this.printedWarnings?.includes(message)) continue;
      console.warn(message);
      (this.printedWarnings ??= []).push(message);
    }
    return errors.map((problem) => this.describe(problem));
  }

  /** Declared dependencies, drains and pod-level resources against the pod and its target. */
  private checkLifecycle(found: Problem[], spec: PodSpecJson): void {
    found.push(...dependencyProblems(spec, this.containerDependencies));
    let drains: { name: string; seconds: number }[] | undefined;
    for (const { container, drainSeconds } of this._patternContainers) {
      if (drainSeconds !== undefined) (drains ??= []).push({ name: container.name, seconds: drainSeconds });
    }
    if (drains) found.push(...gracePeriodProblems(spec, drains));
    if (this.podLevel) {
      const target = KubernetesTarget.of(this.workload);
      if (!target.supports(KubernetesFeature.POD_LEVEL_RESOURCES)) {
        found.push({ rule: 'target-feature', field: 'spec.resources', ...missingFeature(target, KubernetesFeature.POD_LEVEL_RESOURCES, 'usePodLevelResources') });
      } else {
        found.push(...podLevelResourceProblems(spec, this.podLevel));
      }
    }
  }

  /** Helpers whose mode the target or the pod's restart policy cannot run. */
  private checkModes(found: Problem[], kind: string, spec: PodSpecJson): void {
    const target = KubernetesTarget.of(this.workload);
    const finishes = RUN_TO_COMPLETION_KINDS.includes(kind) || (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always');
    for (const added of this._patternContainers) {
      const mode = modeUnder(added, target);
      if (mode === SidecarMode.NATIVE && !target.supportsNativeSidecars) {
        found.push({
          rule: 'sidecar-mode',
          container: added.container.name,
          field: 'mode',
          value: mode,
          message: `native mode needs Kubernetes 1.29, but workload ${this.workload.node.path} targets ${target}, whose API server drops restartPolicy on init containers (the pod would stay in Init)`,
          fix: 'Call KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart, or use mode: SidecarMode.CLASSIC.',
        });
      } else if (mode === SidecarMode.CLASSIC && finishes) {
        const why = RUN_TO_COMPLETION_KINDS.includes(kind) ? `${kind} ${this.workload.node.path}` : `a pod with restartPolicy ${spec.restartPolicy}`;
        found.push({
          rule: 'sidecar-mode',
          container: added.container.name,
          field: 'mode',
          value: mode,
          message: `a classic ${added.role} in ${why} keeps the pod running after the app finishes, so it never completes`,
          fix: 'Use native mode: KubernetesTarget.set(chart, KubernetesVersion.V1_29) on its chart (or mode: SidecarMode.NATIVE).',
        });
      }
    }
  }

  /**
   * Advice on containers as they are: pattern containers given their own image but left on the
   * pattern's busybox-sized resources, and the user's containers that a kubelet or the restricted
   * Pod Security profile would refuse (the library never changes a container it did not add).
   */
  private checkContainers(found: Problem[], spec: PodSpecJson, containers: readonly ContainerJson[]): void {
    for (const { container, sizedForDefaultImage } of this._patternContainers) {
      if (!sizedForDefaultImage) continue;
      found.push({
        rule: 'default-resources',
        container: container.name,
        field: 'resources',
        value: container.image,
        message: `runs image '${container.image}' on its pattern's default resources, sized for busybox`,
        fix: 'Give `resources` measured for that image.',
      });
    }
    const podRunAsUser = (spec.securityContext as { runAsUser?: number } | undefined)?.runAsUser;
    for (const container of containers) {
      if (this.patternAdded(container.name)) checkPatternHardening(found, container);
      else checkUserContainer(found, container, podRunAsUser);
    }
  }

  /** The record of the pattern container named `name`, if a pattern added it. */
  private patternAdded(name: string): PatternContainer | undefined {
    for (const added of this._patternContainers) if (added.container.name === name) return added;
    return undefined;
  }

  /** A problem as printed: the pattern that added its container named from the records, not the text. */
  private describe(problem: Problem): string {
    const added = problem.container === undefined ? undefined : this.patternAdded(problem.container);
    return formatProblem(problem, added?.addedBy);
  }
}

/** The default-container annotation (set by defaultContainer or by hand) against the pod's containers. */
function checkDefaultContainer(found: Problem[], template: PodTemplateJson, containers: readonly ContainerJson[]): void {
  const name = template.metadata?.annotations?.[PodComposition.DEFAULT_CONTAINER_ANNOTATION];
  if (name === undefined || named(containers, name)) return;
  found.push({
    rule: 'container-reference',
    field: `metadata.annotations.${PodComposition.DEFAULT_CONTAINER_ANNOTATION}`,
    value: name,
    message: `the default container '${name}' is not a container of the pod (its containers: ${containerNames(containers)}), so kubectl logs and kubectl exec without -c would fail`,
    fix: 'Set defaultContainer (or the annotation) to one of those names.',
  });
}

/** A pattern container whose hardening the user's `securityContext` turned off: honoured, and said. */
function checkPatternHardening(found: Problem[], container: ContainerJson): void {
  const context = (container.securityContext ?? {}) as {
    runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; privileged?: boolean; capabilities?: { drop?: string[]; add?: string[] };
  };
  const weakened = [
    context.runAsNonRoot === false ? 'runAsNonRoot false' : '',
    context.readOnlyRootFilesystem === false ? 'readOnlyRootFilesystem false' : '',
    context.allowPrivilegeEscalation === true ? 'allowPrivilegeEscalation true' : '',
    context.privileged === true ? 'privileged true' : '',
    // Capabilities added without dropping ALL are capability-without-drop-all's.
    context.capabilities?.drop?.includes('ALL') || context.capabilities?.add?.length ? '' : 'capabilities not dropping ALL',
  ].filter(Boolean);
  if (!weakened.length) return;
  found.push({
    rule: 'hardening-weakened',
    container: container.name,
    field: 'securityContext',
    message: `is a pattern container whose securityContext turns its hardening off (${weakened.join(', ')}), which the restricted Pod Security profile refuses`,
    fix: "Leave those fields out to keep the pattern's hardening, or set the rule off for this container with a reason (RulePolicy).",
  });
}

/** What a kubelet or the restricted profile would say of a container the user added. */
function checkUserContainer(found: Problem[], container: ContainerJson, podRunAsUser: number | undefined): void {
  const context = (container.securityContext ?? {}) as { runAsNonRoot?: boolean; runAsUser?: number; capabilities?: { drop?: string[] } };
  if (context.runAsNonRoot && context.runAsUser === undefined && podRunAsUser === undefined) {
    found.push({
      rule: 'run-as-non-root-without-user',
      container: container.name,
      field: 'securityContext.runAsUser',
      message: "has runAsNonRoot but no runAsUser: a kubelet refuses to start it (CreateContainerConfigError) if its image's user is root",
      fix: 'Set securityContext.user to the non-root uid the image runs as (e.g. 101 for nginx-unprivileged, 65534 for nobody).',
    });
  }
  if (!context.capabilities?.drop?.includes('ALL')) {
    found.push({
      rule: 'capabilities-kept',
      container: container.name,
      field: 'securityContext.capabilities',
      message: 'keeps its capabilities, which the restricted Pod Security profile refuses',
      fix: 'Set securityContext.capabilities to { drop: [CAPABILITY_ALL] } (add CAPABILITY_NET_BIND_SERVICE only if it binds a port below 1024).',
    });
  }
}

/** Media Kubernetes knows for an emptyDir: the node's disk (''), tmpfs, and huge pages (of one size). */
const EMPTY_DIR_MEDIUM = /^(|Memory|HugePages|HugePages-[0-9]+[KMGTPE]i)$/;

/** Throws, naming the construct, on a medium Kubernetes does not know or a size limit it would refuse. */
function checkBacking(declaredBy: IConstruct, path: string, backing: SharedDirectoryOptions): void {
  if (typeof backing !== 'object' || backing === null) {
    throw new Error(`${declaredBy.node.path}: the backing of shared directory ${path} is ${describeValue(backing)}. Give { medium, sizeLimit } or leave it out.`);
  }
  const { medium, sizeLimit } = backing;
  if (medium !== undefined && (typeof medium !== 'string' || !EMPTY_DIR_MEDIUM.test(medium))) {
    throw new Error(
      `${declaredBy.node.path}: medium ${describeValue(medium)} of shared directory ${path} is not one Kubernetes knows. ` +
        "Give EmptyDirMedium.MEMORY, 'HugePages' or 'HugePages-2Mi', or leave it out for the node's disk.",
    );
  }
  if (sizeLimit === undefined) return;
  // Duck-typed, so a Size from another copy of cdk8s works too.
  if (typeof (sizeLimit as Partial<Size>)?.toKibibytes !== 'function') {
    throw new Error(`${declaredBy.node.path}: sizeLimit of shared directory ${path} is ${describeValue(sizeLimit)}, not a Size. Give e.g. Size.mebibytes(64).`);
  }
  const quantity = quantityOfSize(sizeLimit);
  if (quantityProblem(quantity) !== undefined) {
    throw new Error(
      `${declaredBy.node.path}: sizeLimit of shared directory ${path} renders as '${quantity}', which is not a Kubernetes quantity. ` +
        'Give a finite Size, e.g. Size.mebibytes(64).',
    );
  }
}

/** How a pattern container renders under `target`; undefined for init steps. */
function modeUnder(added: PatternContainer, target: KubernetesVersion): SidecarMode | undefined {
  if (added.role === ContainerRole.INIT) return undefined;
  return added.requestedMode ?? (target.supportsNativeSidecars ? SidecarMode.NATIVE : SidecarMode.CLASSIC);
}

/**
 * Turns a rendered container into a native sidecar. One that listens gets a startupProbe on its
 * first TCP port unless it has one, so the containers after it (the app included) start only once it
 * accepts connections.
 */
function makeNativeSidecar(container: ContainerJson): void {
  container.restartPolicy = 'Always';
  // A tcp probe can only tell a TCP listener is up: a UDP or SCTP port is left to the user's probe.
  const port = container.ports?.find((p) => p.protocol === undefined || p.protocol === 'TCP')?.containerPort;
  if (port !== undefined && container.startupProbe === undefined) {
    container.startupProbe = { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 30 };
  }
}

const VOLUME_NAMES = new Interned<string>();

/**
 * A volume name (DNS-1123 label) that tells what it holds and cannot clash: a slug of the path
 * and a short hash of it, e.g. `shared-var-log-app-1a2b3c`, so /var/log/app and /var/log-app differ.
 */
function sharedVolumeName(path: string): string {
  return VOLUME_NAMES.of(path, () => {
    const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
    return `shared-${slug}-${shortHash(path)}`;
  });
}

/** Six hex digits of FNV-1a: stable across runs and platforms. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0').slice(0, 6);
}

/** A cdk8s Size as a Kubernetes quantity: in Mi when whole, else in Ki (the smallest unit Size has), fractions kept. */
function quantityOfSize(size: Size): string {
  const kibibytes = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  return Number.isInteger(kibibytes) && kibibytes % 1024 === 0 ? `${kibibytes / 1024}Mi` : `${kibibytes}Ki`;
}
