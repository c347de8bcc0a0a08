import { IConstruct } from 'constructs';
import { containerNames, containersOf, named, PodSpecJson } from '../kubernetes/manifest';
import { PodHost } from './pod-host';

/** An OCI image mounted read-only into one container of the pod. */
export interface ImageMount {
  readonly image: string;
  readonly mountPath: string;
  /** The container it is mounted in, by name. */
  readonly container: string;
  readonly pullPolicy?: string;
  /** A directory of the image to mount instead of its root. */
  readonly subPath?: string;
  readonly volumeName: string;
  readonly declaredBy: IConstruct;
}

/**
 * The images patterns mount as volumes (Kubernetes `volumes[].image`, a field cdk8s-plus-27 lacks):
 * rendered as the pod's volumes and the container's read-only mount when the pod renders.
 */
export class ImageVolumes {
  private readonly mounts: ImageMount[] = [];

  constructor(private readonly host: PodHost) {}

  /** Mounts `image` read-only at `mountPath` in `container`. */
  public add(mount: Omit<ImageMount, 'volumeName'>): string {
    const volumeName = `image-${mount.container}-${this.mounts.length}`.slice(0, 63).replace(/-+$/, '');
    this.mounts.push({ ...mount, volumeName });
    return volumeName;
  }

  /** Adds each image volume and its mount; throws, naming both sides, on a volume name the pod has or a container it lacks. */
  public render(spec: PodSpecJson): void {
    if (this.mounts.length === 0) return;
    const containers = containersOf(spec);
    for (const m of this.mounts) {
      const container = named(containers, m.container);
      if (!container) {
        throw new Error(
          `${m.declaredBy.node.path}: the image ${m.image} is to be mounted in container '${m.container}', which the pod of ${this.host.path} does not have ` +
            `(its containers: ${containerNames(containers)}). Give one of those names.`,
        );
      }
      if (named(spec.volumes, m.volumeName)) {
        throw new Error(`${m.declaredBy.node.path}: the image volume '${m.volumeName}' has the name of a volume the pod of ${this.host.path} has already. Rename the pod's volume.`);
      }
      spec.volumes = [...(spec.volumes ?? []), { name: m.volumeName, image: { reference: m.image, ...(m.pullPolicy ? { pullPolicy: m.pullPolicy } : {}) } }];
      container.volumeMounts = [
        ...(container.volumeMounts ?? []),
        { mountPath: m.mountPath, name: m.volumeName, readOnly: true, ...(m.subPath ? { subPath: m.subPath } : {}) },
      ];
    }
  }
}
