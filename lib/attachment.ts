import * as kplus from 'cdk8s-plus-27';

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
