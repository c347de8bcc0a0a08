import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { attach, AttachmentProps, checkPropKinds } from './attachment';
import { checkContainerOptions, ContainerOptions, containerNameFromId, containerProps } from './container-defaults';
import { DefaultImage } from './default-image';
import { Resources } from './resources';
import { ContainerRole } from '../pod/pattern-containers';
import { PodComposition } from '../composition/pod-composition';
import { SharedDirectoryOptions } from '../pod/shared-directories';
import { KubernetesFeature } from '../kubernetes/kubernetes-target';
import { checkSharedPath, describeValue } from '../kubernetes/values';

/**
 * One init step: a container that runs to completion before the next step and the app. Give each
 * step its `name`, unique in the pod; left out, it is named after the InitSteps construct's id.
 */
export interface InitStepOptions extends ContainerOptions {
  /**
   * Env variables this step writes for the app (Kubernetes 1.35+, env files): the step writes them
   * to the file `$HANDOFF_ENV_FILE` (on the hand-off volume) as `KEY='value'` lines, the format the
   * kubelet reads, and the app gets each as an env variable through `valueFrom.fileKeyRef`, with no
   * script of its own. A key the file lacks keeps the app from starting (CreateContainerConfigError).
   * @default - none
   */
  readonly envKeys?: string[];
}

export interface InitStepsProps extends AttachmentProps {
  /**
   * Steps, run one after another in this order before the app starts. More can be added with `addStep`.
   * @default - none
   */
  readonly steps?: InitStepOptions[];

  /**
   * Whether the steps hand files to the app through an emptyDir mounted at `handOffPath` in every
   * step (read-write) and at `appHandOffPath` in the app (read-only), with `HANDOFF_DIR` set to
   * the path each of them sees.
   * @default true
   */
  readonly handOff?: boolean;

  /**
   * Where the hand-off volume is mounted in the steps.
   * @default '/handoff'
   */
  readonly handOffPath?: string;

  /**
   * Where the hand-off volume is mounted (read-only) in the app, e.g. '/etc/secrets'.
   * @default - handOffPath
   */
  readonly appHandOffPath?: string;

  /**
   * The hand-off emptyDir's medium (`EmptyDirMedium.MEMORY` keeps rendered secrets off the node's disk) and size limit.
   * @default - on the node's disk, no limit
   */
  readonly handOffVolume?: SharedDirectoryOptions;
}

/**
 * Init containers that run in the declared order, each to completion, before the app starts:
 * setup, registration, waiting for a dependency. A failing step stops the ones after it and the app.
 * A step runs its image's entrypoint unless `command` is given.
 */
export class InitSteps extends Construct {
  /** Requests 50m / 32Mi, limits 100m / 64Mi: enough for shell setup steps. */
  public static readonly DEFAULT_RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } });

  /** The name of the app container the steps prepare. */
  public readonly appContainer: string;
  /** The app container, when the workload is a cdk8s-plus-27 one (its containers are cdk8s-plus containers). */
  public readonly app?: kplus.Container;
  /** Where steps write what the app reads, or undefined when hand-off is off. */
  public readonly handOffPath?: string;
  /** Where the app reads what the steps wrote, or undefined when hand-off is off. */
  public readonly appHandOffPath?: string;
  private readonly composition: PodComposition;
  private readonly backing?: SharedDirectoryOptions;
  private readonly _steps: kplus.Container[] = [];

  constructor(scope: Construct, id: string, props: InitStepsProps) {
    super(scope, id);
    const where = this.node.path;
    const { composition, app } = attach(where, props);
    checkPropKinds(where, props, { handOff: 'boolean' });
    this.composition = composition;
    this.appContainer = app;
    this.app = composition._declarations.host.containerObject(app);
    this.backing = props.handOffVolume;
    if (props.handOff ?? true) {
      this.handOffPath = checkSharedPath(where, 'handOffPath', props.handOffPath ?? '/handoff');
      this.appHandOffPath = checkSharedPath(where, 'appHandOffPath', props.appHandOffPath ?? this.handOffPath);
      composition._directories.add(this, this.appContainer, this.appHandOffPath, { readOnly: true }, this.backing, Resources.HAND_OFF_SIZE_LIMIT);
      composition._env.set(this, this.appContainer, 'HANDOFF_DIR', this.appHandOffPath, 'Give one InitSteps handOff: false, or add the steps to the first with addStep.');
    }
    if (props.steps !== undefined && !Array.isArray(props.steps)) {
      throw new Error(`${where}: steps is ${describeValue(props.steps)}, not an array. Give e.g. [{ name: 'migrate', command: [...] }].`);
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
    const where = this.node.path;
    const defaultImage = DefaultImage.of(this);
    checkContainerOptions(where, options, defaultImage);
    checkRunsToCompletion(where, options.name ?? containerNameFromId(this.node.id), options);
    const { envKeys, ...containerOptions } = options;
    const name = options.name ?? containerNameFromId(this.node.id);
    const envFile = envKeys === undefined ? undefined : this.envFileFor(name, envKeys);
    const handOffEnv: Record<string, kplus.EnvValue> = this.handOffPath
      ? { HANDOFF_DIR: kplus.EnvValue.fromValue(this.handOffPath), ...(envFile ? { HANDOFF_ENV_FILE: kplus.EnvValue.fromValue(envFile.inStep) } : {}) }
      : {};
    const step = containerProps(where, containerOptions, { image: defaultImage, id: this.node.id, resources: InitSteps.DEFAULT_RESOURCES, envVariables: handOffEnv });
    const container = this.composition._containers.add(this, ContainerRole.INIT, step.props, { sizedForDefaultImage: step.sizedForDefaultImage, ephemeralStorage: step.ephemeralStorage });
    if (this.handOffPath && this.appHandOffPath) {
      const volume = this.composition._directories.add(this, container.name, this.appHandOffPath, { mountPath: this.handOffPath }, this.backing, Resources.HAND_OFF_SIZE_LIMIT);
      for (const key of envKeys ?? []) this.composition._env.setFromFile(this, this.appContainer, key, volume, envFile!.inVolume);
      if (envKeys?.length) this.composition._declarations.features.add(KubernetesFeature.ENV_FILES, `envKeys of init step '${container.name}'`, 'env[].valueFrom.fileKeyRef');
    }
    this._steps.push(container);
    return container;
  }

  /** Where step `name` writes its env file: as the step sees it, and within the hand-off volume. */
  private envFileFor(name: string, envKeys: unknown): { inStep: string; inVolume: string } {
    const where = this.node.path;
    if (!this.handOffPath) {
      throw new Error(`${where}: init step '${name}' has envKeys, which the app reads from the hand-off volume, but handOff is false. Turn handOff on, or leave envKeys out.`);
    }
    if (!Array.isArray(envKeys) || envKeys.some((key) => typeof key !== 'string' || !ENV_KEY.test(key))) {
      throw new Error(
        `${where}: envKeys of init step '${name}' is ${describeValue(envKeys)}. Give env variable names (letters, digits and '_', not starting with a digit), e.g. ['DB_URL'].`,
      );
    }
    return { inStep: `${this.handOffPath}/${name}.env`, inVolume: `${name}.env` };
  }
}

/** An env variable name a shell can read too: what a step writes and the app gets. */
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An init step runs to completion, so it can have no probe and no hook: the API server refuses them
 * on such an init container. A `portNumber` would be one, as cdk8s-plus adds a startup probe on it.
 */
function checkRunsToCompletion(where: string, name: string, step: InitStepOptions): void {
  const field = step.startup || step.portNumber !== undefined ? 'a startup probe (a port given as portNumber adds one: use ports instead)'
    : step.readiness ? 'a readiness probe' : step.liveness ? 'a liveness probe' : step.lifecycle ? 'lifecycle hooks' : undefined;
  if (field) {
    throw new Error(
      `${where}: init step '${name}' has ${field}, but an init container that runs to completion cannot have them. ` +
        'Remove it, or make the container a Sidecar in native mode, which can.',
    );
  }
}
