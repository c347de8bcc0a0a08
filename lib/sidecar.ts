import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HelperProps } from './attachment';
import { containerNameFromId, containerProps } from './container-options';
import { ContainerRole, PodComposition } from './pod-composition';
import { containerResources } from './resources';

/** Requests 50m / 32Mi, limits 100m / 64Mi: a log shipper or sync loop on a small pod. */
export const SIDECAR_RESOURCES = containerResources(50, 100, 32, 64);

export interface SidecarProps extends HelperProps {
  /**
   * A directory shared with the app through an emptyDir, mounted at this path in both
   * (e.g. the app's log directory for a log shipper).
   * @default - nothing shared
   */
  readonly sharedPath?: string;
}

/**
 * A long-running helper beside the app that extends it: log shipping, monitoring, data sync.
 * It shares the pod's network and, with `sharedPath`, a directory with the app.
 */
export class Sidecar extends Construct {
  /** The sidecar's container. */
  public readonly container: kplus.Container;
  /** The app container the sidecar serves. */
  public readonly app: kplus.Container;

  constructor(scope: Construct, id: string, props: SidecarProps) {
    super(scope, id);
    const { workload, app, mode, sharedPath, ...options } = props;
    const composition = PodComposition.of(workload);
    this.app = composition.appContainer(this.node.path, app);
    this.container = composition.addPatternContainer(
      this,
      ContainerRole.SIDECAR,
      containerProps(options, { name: containerNameFromId(id), resources: SIDECAR_RESOURCES }),
      mode,
    );
    if (sharedPath) {
      composition.shareDirectory(this.app, sharedPath);
      composition.shareDirectory(this.container, sharedPath);
    }
  }
}
