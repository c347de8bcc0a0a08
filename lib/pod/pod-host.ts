import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import {
  ContainerJson,
  containerNames,
  containersOf,
  defaultPodTemplatePointer,
  KINDS_WITHOUT_POD,
  knownPodTemplatePointer,
  named,
  PodSpecJson,
  podTemplateOf,
  WorkloadJson,
} from '../kubernetes/manifest';
import { describeValue } from '../kubernetes/values';
import { ownRender, renderWithoutUserPatches } from './cdk8s-hooks';

/** What a host's render gives the renderer: the manifest before the patterns' part, and what comes after it. */
export interface HostRender {
  /** The object as its own class renders it, with the patterns' containers in its pod. */
  readonly manifest: WorkloadJson;
  /** The user's JSON patches still to apply, after the patterns' part. */
  readonly userPatches: readonly JsonPatch[];
}

/**
 * Where a workload's pod lives, and how the patterns' containers get into it. Two kinds of object
 * carry a pod: a cdk8s-plus-27 workload, whose containers cdk8s-plus renders (so ours are added to
 * it as its own), and any other ApiObject (an imported class, `Include`, `Helm`, a newer cdk8s-plus,
 * a custom kind), whose pod is JSON that ours are added to when it renders. Everything else, the
 * declarations, the render order, the checks, the runbooks, is the same for both.
 */
export abstract class PodHost {
  /**
   * The host of the pod `workload` carries: a cdk8s-plus-27 workload, an ApiObject, or a construct whose
   * default child is one (a workload of another cdk8s-plus). Throws, naming the value, for anything else.
   * @param podTemplatePath where a kind Kubernetes does not define keeps its pod template (a JSON pointer)
   */
  public static of(where: string, workload: unknown, podTemplatePath?: string): PodHost {
    const apiObject = podObjectOf(where, workload);
    const owner = apiObject.node.scope;
    if (owner instanceof kplus.AbstractPod && owner.node.defaultChild === apiObject) {
      checkTemplatePath(where, apiObject, podTemplatePath, knownPodTemplatePointer(apiObject.kind) ?? '');
      return new CdkPlusPodHost(owner, apiObject);
    }
    const pointer = templatePointerOf(where, apiObject, podTemplatePath);
    return new ManifestPodHost(ApiObject.isApiObject(workload) ? apiObject : (workload as IConstruct), apiObject, pointer);
  }

  protected constructor(
    /** The workload as the user knows it: the cdk8s-plus workload, or the ApiObject. */
    public readonly workload: IConstruct,
    /** The object that renders the pod: its `toJson` is where the patterns' part is rendered. */
    public readonly apiObject: ApiObject,
    /** Where its pod template is (a JSON pointer; '' for a Pod). */
    public readonly templatePointer: string,
  ) {}

  /** The construct path that names the workload in messages. */
  public get path(): string {
    return this.workload.node.path;
  }

  /** Adds a pattern's container: an init container (`init`) or an app container. */
  public abstract addContainer(props: kplus.ContainerProps, init: boolean): kplus.Container;

  /** How many init containers the pod has before the next one a pattern adds. */
  public abstract initContainerCount(): number;

  /** Whether `container` is one of this pod's (for a JSON pod: one a pattern added). */
  public abstract owns(container: kplus.Container): boolean;

  /**
   * The app container the patterns serve, by name: the one given (as a cdk8s-plus-27 container or by
   * name), else the pod's first container. Throws, listing the real names, for a name the pod lacks.
   */
  public abstract appContainer(where: string, app?: kplus.Container, name?: string): string;

  /** The cdk8s-plus-27 container of that name, where the pod's containers are cdk8s-plus ones. */
  public abstract containerObject(name: string): kplus.Container | undefined;

  /** Whether the container already has env variable `name` of its own. */
  public abstract hasEnv(container: string, name: string): boolean;

  /** Sets env variable `name` in the container. */
  public abstract setEnv(container: string, name: string, value: string): void;

  /** Where the container's own volumes are mounted. */
  public abstract ownMountPaths(container: string): string[];

  /**
   * The object as its class renders it, with the patterns' containers, before the patterns' part. `addedBy`
   * gives the path of the pattern that added a container, for errors.
   */
  public abstract render(addedBy: (container: string) => string | undefined): HostRender;

  /** Where init containers a pattern added start among the rendered ones: after those the pod had of its own. */
  public abstract initOffset(spec: PodSpecJson): number;
}

/** A cdk8s-plus-27 workload: the patterns' containers are its own, rendered by cdk8s-plus. */
class CdkPlusPodHost extends PodHost {
  constructor(private readonly pod: kplus.AbstractPod, apiObject: ApiObject) {
    super(pod, apiObject, knownPodTemplatePointer(apiObject.kind) ?? '');
  }

  public addContainer(props: kplus.ContainerProps, init: boolean): kplus.Container {
    return init ? this.pod.addInitContainer(props) : this.pod.addContainer(props);
  }

  public initContainerCount(): number {
    return this.pod.initContainers.length;
  }

  public owns(container: kplus.Container): boolean {
    return this.pod.containers.includes(container) || this.pod.initContainers.includes(container);
  }

  public appContainer(where: string, app?: kplus.Container, name?: string): string {
    if (app) {
      if (!this.pod.containers.includes(app)) {
        throw new Error(
          `${where}: the app container '${app.name}' is not a container of workload ${this.pod.node.path}. ` +
            'Pass a container returned by addContainer on that workload.',
        );
      }
      return app.name;
    }
    const names = (containers: readonly kplus.Container[]) => containers.map((c) => c.name);
    return chooseApp(where, this.path, names(this.pod.containers), names(this.pod.initContainers), name, 'Call workload.addContainer(...) (or pass `containers`) before attaching patterns.');
  }

  public containerObject(name: string): kplus.Container | undefined {
    return this.pod.containers.find((c) => c.name === name) ?? this.pod.initContainers.find((c) => c.name === name);
  }

  public hasEnv(container: string, name: string): boolean {
    return this.containerObject(container)?.env.variables[name] !== undefined;
  }

  public setEnv(container: string, name: string, value: string): void {
    this.containerObject(container)!.env.addVariable(name, kplus.EnvValue.fromValue(value));
  }

  public ownMountPaths(container: string): string[] {
    return this.containerObject(container)?.mounts.map((m) => m.path) ?? [];
  }

  public render(): HostRender {
    const { rendered, userPatches } = renderWithoutUserPatches(this.apiObject);
    return { manifest: rendered as WorkloadJson, userPatches };
  }

  public initOffset(): number {
    // Pattern init containers are the workload's own: counted where they were added.
    return 0;
  }
}

/**
 * Any other ApiObject: its pod is the JSON its class renders. The patterns' containers are
 * cdk8s-plus-27 containers of a pod of our own, outside the app, rendered by cdk8s-plus and added to
 * that JSON after the pod's own; env for the app is added to the app's JSON. The user's JSON patches
 * added after the first pattern apply after the patterns' part; cdk8s applies those added before,
 * inside the object's own render.
 */
class ManifestPodHost extends PodHost {
  /** The patterns' containers, in a pod no chart of the app holds, so it is never written. */
  private patternPod?: kplus.Pod;
  private readonly appEnv: { container: string; name: string; value: string }[] = [];
  private readonly laterPatches: JsonPatch[] = [];

  constructor(workload: IConstruct, apiObject: ApiObject, templatePointer: string) {
    super(workload, apiObject, templatePointer);
    // Patches the user adds from now on apply after the patterns' part, as on every workload.
    apiObject.addJsonPatch = (...ops: JsonPatch[]) => {
      this.laterPatches.push(...ops);
    };
  }

  public addContainer(props: kplus.ContainerProps, init: boolean): kplus.Container {
    // cdk8s-plus renders no pod without an app container: the first is a placeholder, never copied.
    const pod = (this.patternPod ??= new kplus.Pod(new Chart(new App(), 'patterns'), 'pod', { containers: [{ name: PLACEHOLDER, image: PLACEHOLDER }] }));
    return init ? pod.addInitContainer(props) : pod.addContainer(props);
  }

  public initContainerCount(): number {
    return this.patternPod?.initContainers.length ?? 0;
  }

  public owns(container: kplus.Container): boolean {
    return this.patternContainers().includes(container);
  }

  public appContainer(where: string, app?: kplus.Container, name?: string): string {
    if (app) {
      throw new Error(
        `${where}: app is a cdk8s-plus-27 container, but workload ${this.path} is a ${this.apiObject.kind} whose containers are not cdk8s-plus-27 ones. ` +
          `Name its app container with appContainer instead, e.g. appContainer: '${this.ownSpec().containers[0]?.name ?? 'app'}'.`,
      );
    }
    const spec = this.ownSpec();
    const names = (containers: readonly ContainerJson[] | undefined) => (containers ?? []).map((c) => c.name);
    return chooseApp(where, this.path, names(spec.containers), names(spec.initContainers), name, 'Give it a container in the manifest before attaching patterns.');
  }

  public containerObject(name: string): kplus.Container | undefined {
    return this.patternContainers().find((c) => c.name === name);
  }

  public hasEnv(container: string, name: string): boolean {
    const object = this.containerObject(container);
    if (object) return object.env.variables[name] !== undefined;
    return named(named(containersOf(this.ownSpec()), container)?.env, name) !== undefined || this.appEnv.some((e) => e.container === container && e.name === name);
  }

  public setEnv(container: string, name: string, value: string): void {
    const object = this.containerObject(container);
    if (object) object.env.addVariable(name, kplus.EnvValue.fromValue(value));
    else this.appEnv.push({ container, name, value });
  }

  public ownMountPaths(container: string): string[] {
    const object = this.containerObject(container);
    if (object) return object.mounts.map((m) => m.path);
    return named(containersOf(this.ownSpec()), container)?.volumeMounts?.map((m) => m.mountPath) ?? [];
  }

  public render(addedBy: (container: string) => string | undefined): HostRender {
    const manifest = ownRender(this.apiObject) as WorkloadJson;
    const spec = podTemplateOf(manifest, this.templatePointer).spec;
    if (this.patternPod) this.addPatternPod(spec, ApiObject.of(this.patternPod).toJson().spec as PodSpecJson, addedBy);
    for (const { container, name, value } of this.appEnv) {
      const target = named(containersOf(spec), container);
      if (!target) {
        throw new Error(`${this.path}: the app container '${container}' is no longer in the pod (its containers: ${containerNames(containersOf(spec))}). Keep it, or attach the patterns to another container.`);
      }
      const env = target.env ?? [];
      if (named(env, name)) {
        throw new Error(`${this.path}: env ${name} of container '${container}' is set by the chart and by a pattern. Remove one of them, or rename the pattern's (an ambassador upstream named \`x\` sets X_ADDR).`);
      }
      target.env = [...env, { name, value }];
    }
    return { manifest, userPatches: this.laterPatches };
  }

  public initOffset(spec: PodSpecJson): number {
    return (spec.initContainers?.length ?? 0) - this.initContainerCount();
  }

  /** The containers patterns added, init containers first. */
  private patternContainers(): kplus.Container[] {
    return this.patternPod ? [...this.patternPod.initContainers, ...this.patternPod.containers.slice(1)] : [];
  }

  /** The pod spec as the object renders it now, without anything of the patterns. */
  private ownSpec(): PodSpecJson {
    return podTemplateOf(ownRender(this.apiObject) as WorkloadJson, this.templatePointer).spec;
  }

  /** Adds the patterns' containers and volumes after the pod's own, refusing a name the pod already has. */
  private addPatternPod(spec: PodSpecJson, rendered: PodSpecJson, addedBy: (container: string) => string | undefined): void {
    const patterns = { ...rendered, containers: rendered.containers.slice(1) };
    const own = containersOf(spec);
    for (const container of [...(patterns.initContainers ?? []), ...patterns.containers]) {
      if (named(own, container.name)) {
        const pattern = addedBy(container.name);
        throw new Error(
          `${this.path}: ${pattern ? `pattern ${pattern}` : 'a pattern'} adds container '${container.name}', but the ${this.apiObject.kind}'s pod has a container of that name already. ` +
            "Give the pattern's container another `name`.",
        );
      }
    }
    for (const volume of patterns.volumes ?? []) {
      if (named(spec.volumes, volume.name)) {
        throw new Error(
          `${this.path}: a pattern adds volume '${volume.name}', but the ${this.apiObject.kind}'s pod has a volume of that name already. ` +
            'Rename the chart\'s volume, or the pattern construct that adds it.',
        );
      }
    }
    if (patterns.initContainers) spec.initContainers = [...(spec.initContainers ?? []), ...patterns.initContainers];
    spec.containers = [...spec.containers, ...patterns.containers];
    if (patterns.volumes) spec.volumes = [...(spec.volumes ?? []), ...patterns.volumes];
  }
}

/** The name of the pattern pod's placeholder app container: not a DNS label, so no container of a pattern can have it. */
const PLACEHOLDER = '_placeholder';

/** The app container's name: `name` if the pod has it, else the first. Throws, listing the names, otherwise. */
function chooseApp(where: string, path: string, names: readonly string[], initNames: readonly string[], name: string | undefined, fixWhenEmpty: string): string {
  if (name !== undefined) {
    if (typeof name === 'string' && names.includes(name)) return name;
    if (typeof name === 'string' && initNames.includes(name)) {
      throw new Error(
        `${where}: appContainer '${name}' is an init container of workload ${path}, which runs before the app. ` +
          `Name the app container instead (its containers: ${names.map((n) => `'${n}'`).join(', ')}).`,
      );
    }
    throw new Error(
      `${where}: appContainer ${describeValue(name)} is not a container of workload ${path} (its containers: ${names.length === 0 ? 'none' : names.map((n) => `'${n}'`).join(', ')}). ` +
        'Give one of those names.',
    );
  }
  if (names.length === 0) throw new Error(`${where}: workload ${path} has no app container yet. ${fixWhenEmpty}`);
  return names[0];
}

/** The ApiObject that carries the pod of `workload` (it, or its default child), or an error naming the value. */
export function podObjectOf(where: string, workload: unknown): ApiObject {
  const fix =
    'Give a workload that carries a pod: a cdk8s-plus workload (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob), ' +
    'or an ApiObject from an imported class, Include or Helm.';
  if (ApiObject.isApiObject(workload)) return workload;
  const node = (workload as IConstruct | undefined)?.node;
  if (typeof workload !== 'object' || workload === null || typeof node?.tryFindChild !== 'function') {
    throw new Error(`${where}: workload is ${describeValue(workload)}, not a construct. ${fix}`);
  }
  try {
    return ApiObject.of(workload as IConstruct);
  } catch {
    throw new Error(`${where}: workload ${node.path} is a construct without an ApiObject, so it renders no pod. ${fix}`);
  }
}

/** Where the object keeps its pod template: where its kind does, else the path given, else /spec/template; checked to hold a pod. */
function templatePointerOf(where: string, apiObject: ApiObject, podTemplatePath: string | undefined): string {
  const kind = apiObject.kind;
  const known = knownPodTemplatePointer(kind);
  checkTemplatePath(where, apiObject, podTemplatePath, known);
  if (KINDS_WITHOUT_POD.includes(kind)) {
    throw new Error(`${where}: workload ${apiObject.node.path} is a ${kind}, which carries no pod. Attach the pattern to the workload whose pods it should join.`);
  }
  const pointer = podTemplatePath ?? defaultPodTemplatePointer(kind);
  const template = podTemplateOf(ownRender(apiObject) as WorkloadJson, pointer) as { spec?: { containers?: unknown } } | undefined;
  const containers = template?.spec?.containers;
  if (Array.isArray(containers)) return pointer;
  const object = `${where}: workload ${apiObject.node.path} (a ${kind})`;
  if (containers !== undefined) {
    throw new Error(
      `${object} has spec.containers at '${pointer}' as ${describeValue(containers)}, not a list. ` +
        'Write containers as Kubernetes takes them: a list of objects, each with a name and an image.',
    );
  }
  if (known !== undefined) {
    throw new Error(`${object} has no spec.containers in its pod template at '${pointer}'. Give the manifest its containers (a list, each with a name and an image).`);
  }
  throw new Error(
    `${object} has no pod template at '${pointer}': nothing there holds spec.containers. ` +
      "Give podTemplatePath, the JSON pointer of its pod template (e.g. '/spec/template'), or attach to an object that carries a pod.",
  );
}

/** A podTemplatePath is a JSON pointer, and only for kinds Kubernetes does not define. */
function checkTemplatePath(where: string, apiObject: ApiObject, podTemplatePath: string | undefined, known: string | undefined): void {
  if (podTemplatePath === undefined) return;
  if (typeof podTemplatePath !== 'string' || !(podTemplatePath === '' || podTemplatePath.startsWith('/'))) {
    throw new Error(`${where}: podTemplatePath is ${describeValue(podTemplatePath)}, not a JSON pointer. Give e.g. '/spec/template'.`);
  }
  if (known !== undefined && podTemplatePath !== known) {
    throw new Error(`${where}: podTemplatePath '${podTemplatePath}' is given for a ${apiObject.kind}, whose pod template is at '${known}'. Leave podTemplatePath out.`);
  }
}
