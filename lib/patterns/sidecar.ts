import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addRestartRules, attach, checkPropKinds, helperOptions, HelperProps } from './attachment';
import { checkContainerOptions, containerProps } from './container-defaults';
import { DefaultImage } from './default-image';
import { Resources } from './resources';
import { ContainerRole } from '../pod/pattern-containers';
import { SharedDirectoryOptions } from '../pod/shared-directories';

export interface SidecarProps extends HelperProps {
  /**
   * A directory shared with the app through an emptyDir, at this path in the app
   * (e.g. the app's log directory for a log shipper).
   * @default - nothing shared
   */
  readonly sharedPath?: string;

  /**
   * Where the shared directory is mounted in the sidecar.
   * @default - sharedPath
   */
  readonly sidecarSharedPath?: string;

  /**
   * The sidecar only reads the shared directory (a log shipper); mounted read-only in it.
   * @default false
   */
  readonly sharedReadOnly?: boolean;

  /**
   * The app only reads the shared directory (the sidecar syncs files into it); mounted read-only in the app.
   * @default false
   */
  readonly appSharedReadOnly?: boolean;

  /**
   * The shared emptyDir's medium (`EmptyDirMedium.MEMORY` for secrets or fast scratch space) and size limit.
   * @default - on the node's disk, no limit
   */
  readonly sharedVolume?: SharedDirectoryOptions;
}

/**
 * A long-running helper beside the app that extends it: log shipping, monitoring, data sync.
 * It shares the pod's network and, with `sharedPath`, a directory with the app. It runs its
 * image's entrypoint (with `args`) unless `command` is given; on the default busybox image a
 * `command` is required, since busybox alone would exit at once and crash-loop.
 */
export class Sidecar extends Construct {
  /** Requests 50m / 32Mi, limits 100m / 64Mi: a log shipper or sync loop on a small pod. */
  public static readonly DEFAULT_RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } });

  /** The sidecar's container. */
  public readonly container: kplus.Container;
  /** The name of the app container the sidecar serves. */
  public readonly appContainer: string;
  /** The app container, when the workload is a cdk8s-plus-27 one (its containers are cdk8s-plus containers). */
  public readonly app?: kplus.Container;

  constructor(scope: Construct, id: string, props: SidecarProps) {
    super(scope, id);
    const where = this.node.path;
    const { composition, app } = attach(where, props);
    const { workload, app: appOption, appContainer, podTemplatePath, mode, drainTime, restartOnExitCodes, restartPodOnExit, sharedPath, sidecarSharedPath, sharedReadOnly, appSharedReadOnly, sharedVolume, ...options } =
      props;
    const defaultImage = DefaultImage.of(this);
    checkContainerOptions(where, options, defaultImage);
    checkPropKinds(where, props, { sidecarSharedPath: 'string', sharedReadOnly: 'boolean', appSharedReadOnly: 'boolean' });
    if ((options.image ?? defaultImage) === defaultImage && options.command === undefined && options.args === undefined) {
      throw new Error(
        `${where}: a Sidecar on the default image ${defaultImage} needs a command: busybox alone runs sh, which exits at once, ` +
          "and the pod crash-loops. Give `command` (e.g. ['sh', '-c', 'tail -F /var/log/app/app.log']) or your own `image`.",
      );
    }
    this.appContainer = app;
    this.app = composition._declarations.host.containerObject(app);
    const sidecar = containerProps(where, options, { image: defaultImage, id, resources: Sidecar.DEFAULT_RESOURCES });
    this.container = composition._containers.add(this, ContainerRole.SIDECAR, sidecar.props, helperOptions(where, props, sidecar));
    addRestartRules(this, composition, props, this.container.name);
    if (sharedPath !== undefined) {
      const limit = Resources.SHARED_DIRECTORY_SIZE_LIMIT;
      composition._directories.add(this, this.appContainer, sharedPath, { readOnly: appSharedReadOnly }, sharedVolume, limit);
      composition._directories.add(this, this.container.name, sharedPath, { mountPath: sidecarSharedPath, readOnly: sharedReadOnly }, sharedVolume, limit);
    }
  }
}
