import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/** One variable a pattern set in a container. */
export interface EnvAssignment {
  readonly container: kplus.Container;
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

  /** Every variable set, in order. */
  public get all(): readonly EnvAssignment[] {
    return this.assignments;
  }

  /** Sets `name` in `container`, refusing to overwrite a variable another pattern or the user set. */
  public set(setBy: IConstruct, container: kplus.Container, name: string, value: string, fix = 'Rename one of them (an ambassador upstream named `x` sets X_ADDR).'): void {
    const previous = this.assignments.find((e) => e.container === container && e.name === name);
    if (previous || container.env.variables[name] !== undefined) {
      const other = previous ? previous.setBy.node.path : `the container's own env`;
      throw new Error(`${setBy.node.path}: env ${name} of container '${container.name}' is already set by ${other}. ${fix}`);
    }
    container.env.addVariable(name, kplus.EnvValue.fromValue(value));
    this.assignments.push({ container, name, value, setBy });
  }
}
