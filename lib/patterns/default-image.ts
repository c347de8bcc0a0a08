import { IConstruct } from 'constructs';
import { heldOn, holdOn } from '../kubernetes/held-state';
import { describeValue } from '../kubernetes/values';
import { DEFAULT_IMAGE } from './container-defaults';

/** Where the default image is held: on the scope it is set on. */
const DEFAULT_IMAGE_ID = 'patterns.DefaultImage';

/**
 * The image the patterns run their own busybox scripts on, when a pattern is given no `image`:
 * `busybox:1.36` unless set on a scope (the app, a chart, a workload); the nearest scope wins. Set it
 * to pin every image the patterns choose by digest (what linters such as checkov's CKV_K8S_43 ask
 * for), or to a mirror in your own registry. It must be a busybox of 1.36 or later: the scripts use
 * its sh, nc, awk, tail and httpd.
 *
 * @example
 * DefaultImage.set(app, 'registry.example.com/busybox:1.36@sha256:<digest of your copy>');
 */
export class DefaultImage {
  /** The image the patterns use when no scope sets one. */
  public static readonly BUSYBOX = DEFAULT_IMAGE;

  /** Makes the patterns under `scope` run their scripts on `image` when given no `image` of their own. */
  public static set(scope: IConstruct, image: string): void {
    if (typeof image !== 'string' || !/^[^\s]+$/.test(image)) {
      throw new Error(`DefaultImage.set on ${scope.node.path || 'the app'}: image is ${describeValue(image)}. Give an image reference, e.g. 'busybox:1.36@sha256:<digest>'.`);
    }
    holdOn(scope, DEFAULT_IMAGE_ID, () => ({ image })).image = image;
  }

  /** The default image of the patterns under `scope`. */
  public static of(scope: IConstruct): string {
    for (let construct: IConstruct | undefined = scope; construct; construct = construct.node.scope) {
      const held = heldOn<{ image: string }>(construct, DEFAULT_IMAGE_ID);
      if (held) return held.image;
    }
    return DEFAULT_IMAGE;
  }

  private constructor() {}
}
