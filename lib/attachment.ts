import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ContainerOptions } from './container-options';
import { SidecarMode } from './pod-composition';

/** Where a pattern attaches: the workload and the app container in it. */
export interface AttachmentProps {
  /**
   * The workload whose pods get the pattern: a Pod, Deployment, StatefulSet, DaemonSet, Job or
   * CronJob, also one defined in another chart.
   */
  readonly workload: kplus.AbstractPod;

  /**
   * The app container the pattern serves (volumes and env are wired into it).
   * @default - the workload's first container
   */
  readonly app?: kplus.Container;
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
}
