import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AttachmentProps } from './attachment';
import { ContainerOptions, containerProps } from './container-options';
import { ContainerRole, PodComposition } from './pod-composition';
import { containerResources } from './resources';

/** Requests 50m / 32Mi, limits 100m / 64Mi: enough for shell setup steps. */
export const INIT_STEP_RESOURCES = containerResources(50, 100, 32, 64);

/** One init step: a container that runs to completion before the next step and the app. */
export interface InitStepOptions extends ContainerOptions {
  /** Container name, unique in the pod. */
  readonly name: string;
}

export interface InitStepsProps extends AttachmentProps {
  /**
   * Steps, run one after another in this order before the app starts. More can be added with `addStep`.
   * @default - none
   */
  readonly steps?: InitStepOptions[];

  /**
   * Whether the steps hand files to the app through an emptyDir mounted at `handOffPath` in every
   * step (read-write) and in the app (read-only), with `HANDOFF_DIR` set to that path in each.
   * @default true
   */
  readonly handOff?: boolean;

  /**
   * Where the hand-off volume is mounted.
   * @default '/handoff'
   */
  readonly handOffPath?: string;
}

/**
 * Init containers that run in the declared order, each to completion, before the app starts:
 * setup, registration, waiting for a dependency. A failing step stops the ones after it and the app.
 */
export class InitSteps extends Construct {
  /** The app container the steps prepare. */
  public readonly app: kplus.Container;
  /** Where steps write what the app reads, or undefined when hand-off is off. */
  public readonly handOffPath?: string;
  private readonly composition: PodComposition;
  private readonly _steps: kplus.Container[] = [];

  constructor(scope: Construct, id: string, props: InitStepsProps) {
    super(scope, id);
    this.composition = PodComposition.of(props.workload);
    this.app = this.composition.appContainer(this.node.path, props.app);
    if (props.handOff ?? true) {
      this.handOffPath = props.handOffPath ?? '/handoff';
      this.composition.shareDirectory(this.app, this.handOffPath, { readOnly: true });
      this.app.env.addVariable('HANDOFF_DIR', kplus.EnvValue.fromValue(this.handOffPath));
    }
    for (const step of props.steps ?? []) {
      this.addStep(step);
    }
  }

  /** The step containers, in run order. */
  public get steps(): kplus.Container[] {
    return [...this._steps];
  }

  /** Adds a step that runs after the ones already added; returns its container. */
  public addStep(options: InitStepOptions): kplus.Container {
    const handOffEnv: Record<string, kplus.EnvValue> = this.handOffPath
      ? { HANDOFF_DIR: kplus.EnvValue.fromValue(this.handOffPath) }
      : {};
    const step = this.composition.addPatternContainer(
      this,
      ContainerRole.INIT,
      containerProps(options, { name: options.name, resources: INIT_STEP_RESOURCES, envVariables: handOffEnv }),
    );
    if (this.handOffPath) {
      this.composition.shareDirectory(step, this.handOffPath);
    }
    this._steps.push(step);
    return step;
  }
}
