import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { PodComposition } from '../composition/pod-composition';
import { describeValue } from '../kubernetes/values';
import { KubernetesFeature } from '../kubernetes/kubernetes-target';
import { PatternContainerOptions, SidecarMode } from '../pod/pattern-containers';
import { checkExitCodes, RestartAction } from '../pod/restart-rules';
import { ContainerOptions, PatternContainerProps } from './container-defaults';

// Where and how a pattern attaches to a workload, checked at the construct boundary.

/** Where a pattern attaches: the workload and the app container in it. */
export interface AttachmentProps {
  /**
   * The object whose pods get the pattern, also one defined in another chart: a workload of
   * cdk8s-plus-27 or of any other cdk8s-plus (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob),
   * or any ApiObject that carries a pod: one of an imported class (`KubeDeployment`...), of
   * `Include` or `Helm` (their `apiObjects`), a `new ApiObject(...)`, a ReplicaSet, or a custom kind
   * such as an Argo Rollout (see `podTemplatePath`). Checked when the pattern is created.
   */
  readonly workload: IConstruct;

  /**
   * The app container the pattern serves (volumes and env are wired into it), by name.
   * @default - the workload's first container
   */
  readonly appContainer?: string;

  /**
   * The app container the pattern serves, as a container of the workload (of cdk8s-plus-27, or of
   * the newer cdk8s-plus the workload is built with: taken by its name); for other workloads, name
   * it with `appContainer`.
   * @default - the workload's first container
   */
  readonly app?: kplus.Container;

  /**
   * Where the workload keeps its pod template, as a JSON pointer: only for a kind Kubernetes does
   * not define whose template is not at `/spec/template`.
   * @default - where the kind keeps it ('/spec/template' for kinds Kubernetes does not define)
   */
  readonly podTemplatePath?: string;
}

/** Props of the long-running patterns (sidecar, ambassador, adapter): one container beside the app. */
export interface HelperProps extends AttachmentProps, ContainerOptions {
  /**
   * Classic (an app container) or native (an init container with restartPolicy Always).
   * @default - NATIVE when the workload's chart targets Kubernetes 1.29 or later (KubernetesTarget), else CLASSIC
   */
  readonly mode?: SidecarMode;

  /**
   * How long the helper needs between the pod's stop and its own (a log shipper flushing, a proxy
   * finishing connections): rendered as a preStop sleep (the sleep action on 1.30+, `sleep` in the
   * container before), and checked against the pod's terminationGracePeriodSeconds.
   * @default - none
   */
  readonly drainTime?: Duration;

  /**
   * Exit codes on which the helper is restarted, even where the pod's restartPolicy is Never (a
   * Job's classic helper): a `Restart` restart rule (Kubernetes 1.35+). A native sidecar restarts on
   * every exit already, so this is for classic helpers.
   * @default - as the pod's restartPolicy says
   */
  readonly restartOnExitCodes?: number[];

  /**
   * When the helper exits, every container of the pod restarts in place, the init steps included:
   * a `RestartAllContainers` restart rule (Kubernetes 1.36+), for an app that cannot reconnect when
   * its ambassador starts over.
   * @default false
   */
  readonly restartPodOnExit?: boolean;
}

/**
 * Where a pattern attaches, checked at the construct boundary so JavaScript callers get an error
 * naming the prop rather than a TypeError from inside: the workload's composition and the app.
 */
export function attach(where: string, props: AttachmentProps): { composition: PodComposition; app: string } {
  if (typeof props !== 'object' || props === null) {
    throw new Error(`${where}: props is ${describeValue(props)}. Give an object with at least \`workload\`.`);
  }
  // A container of another cdk8s-plus (28 to 33) is taken by its name, as appContainer would be.
  const otherPlus = props.app !== undefined && !(props.app instanceof kplus.Container) && typeof (props.app as { name?: unknown })?.name === 'string';
  if (props.app !== undefined && !(props.app instanceof kplus.Container) && !otherPlus) {
    throw new Error(`${where}: app is ${describeValue(props.app)}, not a container. Give a container returned by workload.addContainer, or name it with appContainer.`);
  }
  if (props.app !== undefined && props.appContainer !== undefined) {
    throw new Error(`${where}: both app and appContainer are given. Keep one of them.`);
  }
  const composition = PodComposition._attach(where, props.workload, props.podTemplatePath);
  const app = otherPlus
    ? composition._appContainer(where, undefined, (props.app as { name: string }).name)
    : composition._appContainer(where, props.app, props.appContainer);
  return { composition, app };
}

/** How a long-running helper is added: its mode, whether it is sized for busybox, how long it drains. */
export function helperOptions(where: string, props: HelperProps, container: PatternContainerProps): PatternContainerOptions {
  checkPropKinds(where, props, { mode: 'mode', drainTime: 'duration', restartPodOnExit: 'boolean' });
  if (props.drainTime !== undefined && props.lifecycle?.preStop !== undefined) {
    throw new Error(`${where}: both drainTime and lifecycle.preStop are given, and drainTime is rendered as the preStop hook. Keep one of them.`);
  }
  const drainSeconds = props.drainTime === undefined ? undefined : wholeSeconds(where, 'drainTime', props.drainTime);
  return { mode: props.mode, sizedForDefaultImage: container.sizedForDefaultImage, drainSeconds, ephemeralStorage: container.ephemeralStorage };
}

/** Declares the helper's restart rules (restartOnExitCodes, restartPodOnExit) for `container`. */
export function addRestartRules(pattern: IConstruct, composition: PodComposition, props: HelperProps, container: string): void {
  const where = pattern.node.path;
  if (props.restartOnExitCodes !== undefined) {
    const exitCodes = checkExitCodes(`${where}: restartOnExitCodes`, props.restartOnExitCodes);
    composition._declarations.restarts.add({ container, action: RestartAction.RESTART, exitCodes, declaredBy: pattern });
    composition._declarations.features.add(KubernetesFeature.CONTAINER_RESTART_RULES, `restartOnExitCodes of ${where}`, 'restartPolicyRules');
  }
  if (props.restartPodOnExit) {
    composition._declarations.restarts.add({ container, action: RestartAction.RESTART_ALL_CONTAINERS, declaredBy: pattern });
    composition._declarations.features.add(KubernetesFeature.RESTART_ALL_CONTAINERS, `restartPodOnExit of ${where}`, 'restartPolicyRules');
  }
}

/** What a prop holds, for checking what JavaScript callers pass. */
export type PropKind = 'string' | 'boolean' | 'duration' | 'mode';

const PROP_KINDS: Record<PropKind, { test: (value: unknown) => boolean; example: string }> = {
  string: { test: (v) => typeof v === 'string', example: "a string such as '/var/log/app'" },
  boolean: { test: (v) => typeof v === 'boolean', example: 'true or false' },
  duration: { test: (v) => v instanceof Duration, example: 'a Duration such as Duration.seconds(5)' },
  mode: { test: (v) => Object.values(SidecarMode).includes(v as SidecarMode), example: 'SidecarMode.CLASSIC or SidecarMode.NATIVE' },
};

/** Throws, naming the prop, when a prop that is set holds the wrong kind of value. */
export function checkPropKinds(where: string, props: object, kinds: Record<string, PropKind>): void {
  for (const prop in kinds) {
    const value = (props as Record<string, unknown>)[prop];
    if (value !== undefined && !PROP_KINDS[kinds[prop]].test(value)) {
      throw new Error(`${where}: ${prop} is ${describeValue(value)}. Give ${PROP_KINDS[kinds[prop]].example}.`);
    }
  }
}

/** A duration as the whole number of seconds (at least 1) Kubernetes fields take, or a clear error. */
export function wholeSeconds(where: string, prop: string, duration: Duration): number {
  const millis = duration.toMilliseconds();
  if (!Number.isInteger(millis) || millis < 1000 || millis % 1000 !== 0) {
    throw new Error(`${where}: ${prop} is ${millis} ms. Give a whole number of seconds, at least 1, e.g. Duration.seconds(5).`);
  }
  return millis / 1000;
}
