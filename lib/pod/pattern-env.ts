import { IConstruct } from 'constructs';
import { PodHost } from './pod-host';

/** One variable a pattern set in a container. */
export interface EnvAssignment {
  /** The container's name. */
  readonly container: string;
  readonly name: string;
  readonly value: string;
  readonly setBy: IConstruct;
}

/**
 * The env variables patterns set in a workload's containers, each set once: cdk8s-plus would
 * silently keep only the last of two. The `env-overwritten` rule reads them at synth.
 */
export class PatternEnv {
  private readonly assignments: EnvAssignment[] = [];

  constructor(private readonly host: PodHost) {}

  /** Every variable set, in order. */
  public get all(): readonly EnvAssignment[] {
    return this.assignments;
  }

  /** Sets `name` in `container`, refusing to overwrite a variable another pattern or the user set. */
  public set(setBy: IConstruct, container: string, name: string, value: string, fix = 'Rename one of them (an ambassador upstream named `x` sets X_ADDR).'): void {
    const previous = this.assignments.find((e) => e.container === container && e.name === name);
    if (previous || this.host.hasEnv(container, name)) {
      const other = previous ? previous.setBy.node.path : `the container's own env`;
      throw new Error(`${setBy.node.path}: env ${name} of container '${container}' is already set by ${other}. ${fix}`);
    }
    this.host.setEnv(container, name, value);
    this.assignments.push({ container, name, value, setBy });
  }
}
