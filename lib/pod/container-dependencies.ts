import * as kplus from 'cdk8s-plus-27';
import { describeValue } from '../kubernetes/values';
import { ContainerJson, named, PodSpecJson } from '../kubernetes/manifest';
import { PodHost } from './pod-host';

/** What a container waits for in another before it starts (the aws-ecs container dependency conditions). */
export enum DependencyCondition {
  /** The other container has been started. */
  STARTED = 'started',
  /** The other container's startup probe passed: only a native sidecar with a startup probe. */
  READY = 'ready',
  /** The other container ran to completion with exit 0: only a run-to-completion init step. */
  COMPLETED = 'completed',
}

/** One declared dependency, by container name. */
export interface ContainerDependency {
  readonly dependent: string;
  readonly dependency: string;
  readonly condition: DependencyCondition;
}

/**
 * Which container of a workload starts only once another is started, ready or completed. Rendered
 * as the order of the init containers; what the pod cannot guarantee is a `dependency` problem.
 */
export class ContainerDependencies {
  private readonly declared: { dependent: kplus.Container; dependency: kplus.Container; condition: DependencyCondition }[] = [];

  constructor(private readonly host: PodHost) {}

  /** Declares that `dependent` waits for `condition` of `dependency`; both must be containers of the workload. */
  public add(dependent: kplus.Container, dependency: kplus.Container, condition: DependencyCondition): void {
    for (const [role, container] of [['dependent', dependent], ['dependency', dependency]] as const) {
      if (!(container instanceof kplus.Container) || !this.host.owns(container)) {
        throw new Error(
          `${this.host.path}: the ${role} ${container instanceof kplus.Container ? `'${container.name}'` : describeValue(container)} is not a container of workload ${this.host.path}. ` +
            'Give containers of this workload (a pattern\'s `container`, or one from workload.addContainer).',
        );
      }
    }
    if (!Object.values(DependencyCondition).includes(condition)) {
      throw new Error(`${this.host.path}: condition ${describeValue(condition)} is not a DependencyCondition. Give STARTED, READY or COMPLETED.`);
    }
    this.declared.push({ dependent, dependency, condition });
  }

  /** The declared dependencies, by container name. */
  public get byName(): ContainerDependency[] {
    return this.declared.map(({ dependent, dependency, condition }) => ({ dependent: dependent.name, dependency: dependency.name, condition }));
  }

  /**
   * Orders the init containers so that each comes after the ones it depends on, moving only what a
   * dependency needs: in declared order, each container is placed right after the containers it
   * depends on (placed first, recursively), so unrelated steps keep their declared order. App
   * containers need no moving: every init container is done (or started and ready, if native) before
   * they start. A cycle leaves the order as it is (the dependency rule reports it).
   */
  public render(spec: PodSpecJson): void {
    const dependencies = this.byName;
    const initContainers = spec.initContainers ?? [];
    if (dependencies.length === 0 || initContainers.length < 2 || findCycle(dependencies)) return;
    const ordered: ContainerJson[] = [];
    const place = (container: ContainerJson): void => {
      if (ordered.includes(container)) return;
      for (const d of dependencies.filter((x) => x.dependent === container.name)) {
        const dependency = named(initContainers, d.dependency);
        if (dependency) place(dependency);
      }
      ordered.push(container);
    };
    initContainers.forEach(place);
    spec.initContainers = ordered;
  }
}

/** Containers that depend on each other in a cycle, first to last (the first repeated), or undefined. */
export function findCycle(dependencies: readonly ContainerDependency[]): string[] | undefined {
  const visiting: string[] = [];
  const done: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const at = visiting.indexOf(name);
    if (at >= 0) return [...visiting.slice(at), name];
    if (done.includes(name)) return undefined;
    visiting.push(name);
    for (const d of dependencies.filter((x) => x.dependent === name)) {
      const cycle = visit(d.dependency);
      if (cycle) return cycle;
    }
    visiting.pop();
    done.push(name);
    return undefined;
  };
  for (const { dependent } of dependencies) {
    const cycle = visit(dependent);
    if (cycle) return cycle;
  }
  return undefined;
}
