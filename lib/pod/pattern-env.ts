import { IConstruct } from 'constructs';
import { containersOf, named, PodSpecJson } from '../kubernetes/manifest';
import { PodHost } from './pod-host';

/** One variable a pattern set in a container. */
export interface EnvAssignment {
  /** The container's name. */
  readonly container: string;
  readonly name: string;
  readonly value: string;
  readonly setBy: IConstruct;
}

/** One variable a pattern has a container read from a key of an env file in an emptyDir (Kubernetes 1.35+). */
interface FileKeyVariable {
  readonly container: string;
  readonly name: string;
  readonly fileKeyRef: { readonly volumeName: string; readonly path: string; readonly key: string };
  readonly setBy: IConstruct;
}

/**
 * The env variables patterns set in a workload's containers, each set once: cdk8s-plus would
 * silently keep only the last of two. The `env-overwritten` rule reads them at synth. A variable
 * read from an env file (`valueFrom.fileKeyRef`, a field cdk8s-plus-27 lacks) is rendered into the
 * manifest when the pod renders.
 */
export class PatternEnv {
  private readonly assignments: EnvAssignment[] = [];
  private readonly fromFiles: FileKeyVariable[] = [];

  constructor(private readonly host: PodHost) {}

  /** Every variable set, in order. */
  public get all(): readonly EnvAssignment[] {
    return this.assignments;
  }

  /** Sets `name` in `container`, refusing to overwrite a variable another pattern or the user set. */
  public set(setBy: IConstruct, container: string, name: string, value: string, fix = 'Rename one of them (an ambassador upstream named `x` sets X_ADDR).'): void {
    this.checkUnset(setBy, container, name, fix);
    this.host.setEnv(container, name, value);
    this.assignments.push({ container, name, value, setBy });
  }

  /**
   * Has `container` read `name` from key `name` of the env file at `path` in emptyDir `volumeName`,
   * refusing to overwrite a variable another pattern or the user set.
   */
  public setFromFile(setBy: IConstruct, container: string, name: string, volumeName: string, path: string): void {
    this.checkUnset(setBy, container, name, 'Write each key in one step, under a name the app does not set itself.');
    this.fromFiles.push({ container, name, fileKeyRef: { volumeName, path, key: name }, setBy });
  }

  /** Adds the variables read from env files to their containers. */
  public render(spec: PodSpecJson): void {
    if (this.fromFiles.length === 0) return;
    const containers = containersOf(spec);
    for (const { container, name, fileKeyRef } of this.fromFiles) {
      const target = named(containers, container);
      if (target) target.env = [...(target.env ?? []), { name, valueFrom: { fileKeyRef: { ...fileKeyRef } } }];
    }
  }

  private checkUnset(setBy: IConstruct, container: string, name: string, fix: string): void {
    const previous = this.assignments.find((e) => e.container === container && e.name === name) ?? this.fromFiles.find((e) => e.container === container && e.name === name);
    if (previous || this.host.hasEnv(container, name)) {
      const other = previous ? previous.setBy.node.path : `the container's own env`;
      throw new Error(`${setBy.node.path}: env ${name} of container '${container}' is already set by ${other}. ${fix}`);
    }
  }
}
