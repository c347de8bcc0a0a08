import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { addDuplicateObjectValidation, checkComposition } from '../checks/composition';
import { checkWorkload } from '../checks/input';
import { KubernetesTarget } from '../kubernetes/kubernetes-target';
import { podTemplateOf, WorkloadJson } from '../kubernetes/manifest';
import { effectivePodResources, PodResources, ResourceAmounts } from '../kubernetes/pod-resources';
import { replaceRender } from '../render/cdk8s-patch';
import { renderChecked, renderWorkload } from '../render/workload-renderer';
import { ContainerDependencies, ContainerDependency, DependencyCondition } from './container-dependencies';
import { modeUnder, PatternContainer, PatternContainers, SidecarMode } from './pattern-containers';
import { PatternEnv } from './pattern-env';
import { DEFAULT_CONTAINER_ANNOTATION, PodSettings } from './pod-settings';
import { SharedDirectories } from './shared-directories';

/** The composition of each workload a pattern was attached to. */
const COMPOSITIONS = new WeakMap<kplus.AbstractPod, PodComposition>();

/**
 * What the patterns attached to one workload declared: the containers they added, the directories
 * they share, pod-wide options. It belongs to the workload, so patterns declared in another chart
 * still render into the workload's manifest. Declarations are turned into the manifest when it is
 * rendered (lib/render), never before, so the chart's target and later attachments are always honoured.
 *
 * It is not a construct: cdk8s walks every construct of the app in each of its whole-app passes, one
 * per chart. Its checks (lib/checks) run when the workload renders, and their messages start with
 * the workload's path, e.g. `[chart/Web] container 'shipper' (added by chart/Shipper): ...`.
 */
export class PodComposition {
  /** The annotation `kubectl logs` and `kubectl exec` read to pick a container when `-c` is left out. */
  public static readonly DEFAULT_CONTAINER_ANNOTATION = DEFAULT_CONTAINER_ANNOTATION;

  /**
   * The composition of a workload that has one: patterns were attached to it, or `attachTo` was called.
   * Throws, naming the workload, when it has none.
   */
  public static of(workload: kplus.AbstractPod): PodComposition {
    checkWorkload('PodComposition.of', workload);
    const composition = COMPOSITIONS.get(workload);
    if (!composition) {
      throw new Error(
        `PodComposition.of: workload ${workload.node.path} has no pod composition, as no pattern was attached to it. ` +
          'Attach a pattern first, or call PodComposition.attachTo(workload) to declare pod-wide settings on a workload without patterns.',
      );
    }
    return composition;
  }

  /**
   * The composition of a workload, attached on first use (patterns call it). Use it to declare pod-wide
   * settings (a budget, dependencies, a shared process namespace) on a workload with or without patterns:
   * from then on the library renders and checks the workload.
   */
  public static attachTo(workload: kplus.AbstractPod): PodComposition {
    checkWorkload('PodComposition.attachTo', workload);
    return COMPOSITIONS.get(workload) ?? new PodComposition(workload);
  }

  /** The compositions of the workloads under `scope` (itself included), in construct-tree order. */
  public static findAll(scope: IConstruct): PodComposition[] {
    return scope.node.findAll().flatMap((c) => {
      const composition = c instanceof kplus.AbstractPod ? COMPOSITIONS.get(c) : undefined;
      return composition ? [composition] : [];
    });
  }

  // The declarations: the pattern-author API (patterns add to them) that the renderer and the checks read.

  /** The containers patterns added, in order. @internal */
  public readonly _containers: PatternContainers;
  /** The emptyDirs patterns share, and their mounts. @internal */
  public readonly _directories = new SharedDirectories();
  /** Which container waits for which. @internal */
  public readonly _dependencies: ContainerDependencies;
  /** The env variables patterns set. @internal */
  public readonly _env = new PatternEnv();
  /** Settings of the whole pod. @internal */
  public readonly _settings: PodSettings;

  private constructor(public readonly workload: kplus.AbstractPod) {
    COMPOSITIONS.set(workload, this);
    this._containers = new PatternContainers(workload);
    this._dependencies = new ContainerDependencies(workload);
    this._settings = new PodSettings(workload);
    replaceRender(ApiObject.of(workload), () => renderChecked(this));
    addDuplicateObjectValidation(workload);
  }

  /**
   * The container `kubectl logs`/`exec` use without `-c` (the default-container annotation);
   * an annotation set on the pod template by hand wins.
   * @default - the app container the first pattern attached to
   */
  public get defaultContainer(): string | undefined {
    return this._settings.defaultContainer;
  }

  public set defaultContainer(name: string | undefined) {
    this._settings.defaultContainer = name;
  }

  /** The containers patterns added to this workload, in the order they were added. */
  public get patternContainers(): PatternContainer[] {
    return [...this._containers.all];
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
    return renderWorkload(this);
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
    this._settings.budget = budget;
  }

  /**
   * Renders `spec.resources`, the pod's own requests and limits (Kubernetes 1.34+, KEP-2837): the
   * pod's cgroup, within which its containers share. Synth checks the KEP's rules: the containers'
   * aggregated requests within the pod's, no container limit above the pod's.
   */
  public usePodLevelResources(resources: PodResources): void {
    this._settings.setPodLevelResources(resources);
  }

  /** The pod-level resources set with `usePodLevelResources`, if any. */
  public get podLevelResources(): PodResources | undefined {
    return this._settings.podLevelResources;
  }

  /**
   * Declares that `dependent` starts only once `dependency` is started, ready (its startup probe
   * passed) or completed. Synth turns it into what guarantees it (init order, native sidecars and
   * their startup probes) and fails when the target cannot guarantee it, or on a cycle.
   */
  public addDependency(dependent: kplus.Container, dependency: kplus.Container, condition = DependencyCondition.READY): void {
    this._dependencies.add(dependent, dependency, condition);
  }

  /** The declared dependencies, by container name. */
  public get containerDependencies(): ContainerDependency[] {
    return this._dependencies.byName;
  }

  /**
   * Lets the pod's containers see and signal each other's processes (`shareProcessNamespace`),
   * e.g. for a sidecar that reloads the app with a signal. cdk8s-plus-27 has no prop for it.
   */
  public shareProcessNamespace(): void {
    this._settings.processNamespaceShared = true;
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
    return checkComposition(this, manifest);
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
}
