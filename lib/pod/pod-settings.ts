import { IConstruct } from 'constructs';
import { containerNames, containersOf, named, PodTemplateJson } from '../kubernetes/manifest';
import { PodResources, podLevelResourcesJson, RequestAndLimit, ResourceAmounts } from '../kubernetes/pod-resources';
import { describeValue } from '../kubernetes/values';
import { renderEphemeralStorage } from './pattern-containers';

/** The annotation `kubectl logs` and `kubectl exec` read to pick a container when `-c` is left out. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/**
 * Settings of the whole pod: the default container, a shared process namespace, pod-level resources
 * and the budget its limits are checked against. Rendered on the pod template, with the
 * RuntimeDefault seccomp profile the restricted Pod Security profile asks for.
 */
export class PodSettings {
  /** The container `kubectl logs`/`exec` use without `-c`. */
  public defaultContainer?: string;
  /** Whether the containers see and signal each other's processes. */
  public processNamespaceShared = false;
  /** The most the pod's effective limits may be, checked at synth. */
  public budget?: ResourceAmounts;
  private podLevel?: PodResources;
  /** Ephemeral storage of the user's own containers, by name, as sizeEphemeralStorage set it. */
  private readonly storage = new Map<string, RequestAndLimit>();

  constructor(private readonly workload: IConstruct) {}

  /** Sets the ephemeral storage of the container named `container` (checked when the pod renders). */
  public setEphemeralStorage(container: string, mebibytes: RequestAndLimit): void {
    if (typeof container !== 'string' || container === '') {
      throw new Error(`${this.workload.node.path}: sizeEphemeralStorage container is ${describeValue(container)}. Give the name of a container of the pod.`);
    }
    this.storage.set(container, checkStorage(`${this.workload.node.path}: sizeEphemeralStorage of '${container}'`, mebibytes));
  }

  /** The pod-level requests and limits, if set. */
  public get podLevelResources(): PodResources | undefined {
    return this.podLevel;
  }

  /** Sets the pod-level requests and limits: whole, non-negative numbers. */
  public setPodLevelResources(resources: PodResources): void {
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

  /** Renders the settings on the pod template, and the RuntimeDefault seccomp profile unless one is set. */
  public render(template: PodTemplateJson): void {
    const spec = template.spec;
    for (const [name, mebibytes] of this.storage) {
      const container = named(containersOf(spec), name);
      if (!container) {
        throw new Error(
          `${this.workload.node.path}: sizeEphemeralStorage names container '${name}', which the pod does not have ` +
            `(its containers: ${containerNames(containersOf(spec))}). Give one of those names.`,
        );
      }
      renderEphemeralStorage(container, mebibytes);
    }
    if (this.podLevel) spec.resources = podLevelResourcesJson(this.podLevel);
    const securityContext = spec.securityContext ?? {};
    if (securityContext.seccompProfile === undefined) {
      spec.securityContext = Object.assign(securityContext, { seccompProfile: { type: 'RuntimeDefault' } });
    }
    if (this.processNamespaceShared) spec.shareProcessNamespace = true;
    if (this.defaultContainer) {
      template.metadata = template.metadata ?? {};
      template.metadata.annotations = { [DEFAULT_CONTAINER_ANNOTATION]: this.defaultContainer, ...template.metadata.annotations };
    }
  }
}

/** Ephemeral storage as given: whole, non-negative mebibytes (a request above its limit is a rule at synth). */
export function checkStorage(where: string, amounts: RequestAndLimit): RequestAndLimit {
  for (const kind of ['request', 'limit'] as const) {
    const value = (amounts as Partial<RequestAndLimit> | undefined)?.[kind];
    if ((kind === 'request' || value !== undefined) && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
      throw new Error(`${where}: ephemeral storage ${kind} is ${describeValue(value)}. Give whole mebibytes of 0 or more, e.g. { request: 64, limit: 256 }.`);
    }
  }
  return amounts;
}
