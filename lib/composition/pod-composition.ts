import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { addDuplicateObjectValidation, checkComposition } from '../checks/composition';
import { KubernetesFeature, KubernetesTarget } from '../kubernetes/kubernetes-target';
import { podTemplateOf, WorkloadJson } from '../kubernetes/manifest';
import { effectivePodResources, PodResources, RequestAndLimit, ResourceAmounts } from '../kubernetes/pod-resources';
import { replaceRender } from '../pod/cdk8s-hooks';
import { ContainerDependencies, ContainerDependency, DependencyCondition } from '../pod/container-dependencies';
import { modeUnder, PatternContainer, PatternContainers, SidecarMode } from '../pod/pattern-containers';
import { PatternEnv } from '../pod/pattern-env';
import { podObjectOf, PodHost } from '../pod/pod-host';
import { PodDeclarations } from '../pod/pod-declarations';
import { DEFAULT_CONTAINER_ANNOTATION, PodSettings } from '../pod/pod-settings';
import { checkExitCodes, RestartAction } from '../pod/restart-rules';
import { SharedDirectories } from '../pod/shared-directories';
import { renderChecked, renderWorkload } from '../render/workload-renderer';

/** The id of a workload's composition, a child of the ApiObject that carries its pod. */
const COMPOSITION_ID = 'PodComposition';

/**
 * What the patterns attached to one workload declared: the containers they added, the directories
 * they share, pod-wide options. It belongs to the object that carries the workload's pod (a child
 * construct of it), so patterns declared in another chart still render into the workload's manifest,
 * and so do patterns attached through a selector or through the object's ApiObject. Declarations are
 * turned into the manifest when it is rendered (lib/render), never before, so the chart's target and
 * later attachments are always honoured.
 *
 * Its checks (lib/checks) run when the workload renders, and their messages start with the
 * workload's path, e.g. `[chart/Web] container 'shipper' (added by chart/Shipper): ...`.
 */
export class PodComposition extends Construct {
  /** The annotation `kubectl logs` and `kubectl exec` read to pick a container when `-c` is left out. */
  public static readonly DEFAULT_CONTAINER_ANNOTATION = DEFAULT_CONTAINER_ANNOTATION;

  /**
   * The composition of a workload that has one: patterns were attached to it, or `attachTo` was called.
   * Throws, naming the workload, when it has none.
   * @param workload a cdk8s-plus workload, an ApiObject that carries a pod, or a construct holding one
   */
  public static of(workload: IConstruct): PodComposition {
    const composition = PodComposition.find('PodComposition.of', workload);
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
   * @param workload a cdk8s-plus workload of any version, or any ApiObject that carries a pod (an imported
   *   class, `Include`, `Helm`, `new ApiObject`), or a construct whose default child is one
   * @param podTemplatePath where a kind Kubernetes does not define (a custom resource) keeps its pod
   *   template, as a JSON pointer. @default - where the kind keeps it; '/spec/template' for other kinds
   */
  public static attachTo(workload: IConstruct, podTemplatePath?: string): PodComposition {
    return PodComposition._attach('PodComposition.attachTo', workload, podTemplatePath);
  }

  /**
   * `attachTo`, with errors that start with `where` (the pattern's path).
   * @internal
   */
  public static _attach(where: string, workload: IConstruct, podTemplatePath?: string): PodComposition {
    const existing = PodComposition.find(where, workload);
    if (existing) {
      if (podTemplatePath !== undefined && podTemplatePath !== existing._declarations.host.templatePointer) {
        throw new Error(
          `${where}: podTemplatePath '${podTemplatePath}' is given for workload ${existing.workload.node.path}, ` +
            `whose pod template is already read at '${existing._declarations.host.templatePointer}'. Give the same path everywhere, or leave it out.`,
        );
      }
      return existing;
    }
    return new PodComposition(PodHost.of(where, workload, podTemplatePath));
  }

  /** The compositions of the workloads under `scope` (itself included), in construct-tree order. */
  public static findAll(scope: IConstruct): PodComposition[] {
    return scope.node.findAll().filter((c): c is PodComposition => c instanceof PodComposition);
  }

  private static find(where: string, workload: unknown): PodComposition | undefined {
    const found = podObjectOf(where, workload).node.tryFindChild(COMPOSITION_ID);
    return found instanceof PodComposition ? found : undefined;
  }

  /** The workload, as patterns were given it: a cdk8s-plus workload, an ApiObject, or a construct holding one. */
  public readonly workload: IConstruct;

  /** The declarations the renderer and the checks read. @internal */
  public readonly _declarations: PodDeclarations;

  private constructor(host: PodHost) {
    super(host.apiObject, COMPOSITION_ID);
    this.workload = host.workload;
    this._declarations = new PodDeclarations(host);
    replaceRender(host.apiObject, () => renderChecked(this._declarations, (manifest) => this._check(manifest)));
    addDuplicateObjectValidation(host.apiObject);
  }

  // The declarations: the pattern-author API (patterns add to them) that the renderer and the checks read.

  /** The containers patterns added, in order. @internal */
  public get _containers(): PatternContainers {
    return this._declarations.containers;
  }

  /** The emptyDirs patterns share, and their mounts. @internal */
  public get _directories(): SharedDirectories {
    return this._declarations.directories;
  }

  /** Which container waits for which. @internal */
  public get _dependencies(): ContainerDependencies {
    return this._declarations.dependencies;
  }

  /** The env variables patterns set. @internal */
  public get _env(): PatternEnv {
    return this._declarations.env;
  }

  /** Settings of the whole pod. @internal */
  public get _settings(): PodSettings {
    return this._declarations.settings;
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
    return renderWorkload(this._declarations);
  }

  /** The pod's effective requests and limits, by the Kubernetes rule (native sidecars included). */
  public get effectiveResources(): PodResources {
    return effectivePodResources(podTemplateOf(this._manifest, this._declarations.host.templatePointer).spec);
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

  /**
   * Renders the `ephemeral-storage` request and limit, in whole mebibytes, of a container of the pod
   * that the patterns did not add (cdk8s-plus-27 takes whole gibibytes only; a value given there
   * wins). Every container a pattern adds has its own already (`ephemeralStorageMebibytes`).
   */
  public sizeEphemeralStorage(container: string, mebibytes: RequestAndLimit): void {
    this._settings.setEphemeralStorage(container, mebibytes);
  }

  /**
   * Restarts `container` (the app, say) when it exits with one of `exitCodes`, even where the pod's
   * restartPolicy is Never, as in a Job: a `Restart` restart rule (Kubernetes 1.35+). Other exits
   * do what the pod's restartPolicy says.
   */
  public restartOnExitCodes(container: string, exitCodes: number[]): void {
    const where = `${this.workload.node.path}: restartOnExitCodes of '${container}'`;
    this._declarations.restarts.add({ container, action: RestartAction.RESTART, exitCodes: checkExitCodes(where, exitCodes), declaredBy: this.workload });
    this._declarations.features.add(KubernetesFeature.CONTAINER_RESTART_RULES, `restartOnExitCodes of '${container}'`, 'restartPolicyRules');
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
    return checkComposition(this._declarations, manifest);
  }

  /**
   * The app container a pattern serves, by name: the one given (a cdk8s-plus-27 container, or by
   * name), else the pod's first container. Patterns wire env into it when they are created, so it
   * must exist by then. The first one named becomes the default container.
   * @internal
   */
  public _appContainer(patternPath: string, app?: kplus.Container, name?: string): string {
    const chosen = this._declarations.host.appContainer(patternPath, app, name);
    this.defaultContainer ??= chosen;
    return chosen;
  }
}
