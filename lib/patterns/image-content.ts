import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubernetesFeature } from '../kubernetes/kubernetes-target';
import { checkSharedPath, describeValue } from '../kubernetes/values';
import { attach, AttachmentProps } from './attachment';

export interface ImageContentProps extends AttachmentProps {
  /**
   * The OCI image whose files are mounted, e.g. 'registry.example.com/site-content:2026.12'. Its
   * files, not its entrypoint: it needs no shell, and it never runs.
   */
  readonly image: string;

  /** Where its files appear, read-only, in the container. */
  readonly mountPath: string;

  /**
   * Mount this directory of the image instead of its root (Kubernetes 1.33+).
   * @default - the image's root
   */
  readonly subPath?: string;

  /**
   * The container that reads the files, by name: the app, or a helper a pattern added.
   * @default - the app container (appContainer, or the pod's first)
   */
  readonly container?: string;

  /**
   * When the kubelet pulls the image.
   * @default - Kubernetes' default: Always for `:latest` or no tag, IfNotPresent otherwise
   */
  readonly pullPolicy?: kplus.ImagePullPolicy;
}

/**
 * Content from an image: an OCI image (config, a web site, models, plugins) mounted read-only into
 * the app or a helper as an image volume (Kubernetes 1.35+, GA in 1.36). Where an init step would
 * copy files out of an image into an emptyDir before the app starts, this needs no copy, no
 * emptyDir and no extra container; the kubelet pulls it like a container image.
 */
export class ImageContent extends Construct {
  /** The container the image is mounted in. */
  public readonly container: string;
  /** The image volume's name in the pod. */
  public readonly volumeName: string;

  constructor(scope: Construct, id: string, props: ImageContentProps) {
    super(scope, id);
    const where = this.node.path;
    const { composition, app } = attach(where, props);
    if (typeof props.image !== 'string' || !/^[^\s]+$/.test(props.image)) {
      throw new Error(`${where}: image is ${describeValue(props.image)}. Give an image reference, e.g. 'registry.example.com/site-content:2026.12'.`);
    }
    if (props.container !== undefined && typeof props.container !== 'string') {
      throw new Error(`${where}: container is ${describeValue(props.container)}. Give a container's name, or leave it out for the app container.`);
    }
    if (props.subPath !== undefined && (typeof props.subPath !== 'string' || props.subPath.startsWith('/') || props.subPath.split('/').includes('..'))) {
      throw new Error(`${where}: subPath is ${describeValue(props.subPath)}. Give a relative path inside the image without '..', e.g. 'html'.`);
    }
    const mountPath = checkSharedPath(where, 'mountPath', props.mountPath);
    this.container = props.container ?? app;
    this.volumeName = composition._declarations.images.add({
      image: props.image,
      mountPath,
      container: this.container,
      pullPolicy: props.pullPolicy,
      subPath: props.subPath,
      declaredBy: this,
    });
    composition._declarations.features.add(KubernetesFeature.IMAGE_VOLUMES, `ImageContent ${where}`, 'volumes[].image');
  }
}
