import * as kplus from 'cdk8s-plus-27';

/**
 * Capability names as Kubernetes and Pod Security Standards spell them. cdk8s-plus-27's Capability
 * enum has no 'ALL' and prefixes names with CAP_, which the "restricted" profile does not accept.
 * TypeScript and JavaScript only: no other language can pass a value its Capability enum lacks.
 */
export const CAPABILITY_ALL = 'ALL' as kplus.Capability;
/** The one capability "restricted" lets a container add: binding ports below 1024 (TypeScript and JavaScript only). */
export const CAPABILITY_NET_BIND_SERVICE = 'NET_BIND_SERVICE' as kplus.Capability;

/**
 * Security contexts of the Pod Security Standards "restricted" profile, as pattern containers get them.
 */
export class RestrictedSecurity {
  /**
   * The uid and gid pattern containers run as: `nobody` exists in busybox and most base images,
   * and a numeric non-root user is what lets a kubelet honour `runAsNonRoot` on images built as root.
   */
  public static readonly NON_ROOT_ID = 65534;

  /** The pod security context for pods built in this project's charts: non-root by uid, gid and fsGroup. */
  public static readonly POD: kplus.PodSecurityContextProps = {
    user: RestrictedSecurity.NON_ROOT_ID,
    group: RestrictedSecurity.NON_ROOT_ID,
    fsGroup: RestrictedSecurity.NON_ROOT_ID,
    ensureNonRoot: true,
  };

  /**
   * The container security context every pattern container gets, with the given fields overriding
   * it: non-root, read-only root filesystem, no privilege escalation, every capability dropped.
   * Opting out is explicit and per field: a field left out or `undefined` keeps its restricted value,
   * and so do `capabilities.drop` and `capabilities.add` one by one (`{ capabilities: { add:
   * [CAPABILITY_NET_BIND_SERVICE] } }` still drops ALL). A field given, e.g. `ensureNonRoot: false`
   * or `capabilities: { drop: [] }`, wins.
   */
  public static container(overrides: kplus.ContainerSecurityContextProps = {}): kplus.ContainerSecurityContextProps {
    const restricted: kplus.ContainerSecurityContextProps = {
      user: RestrictedSecurity.NON_ROOT_ID,
      group: RestrictedSecurity.NON_ROOT_ID,
      ensureNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: [CAPABILITY_ALL] },
    };
    const merged: Record<string, unknown> = { ...restricted };
    for (const [field, value] of Object.entries(overrides ?? {})) if (value !== undefined) merged[field] = value;
    const capabilities = overrides?.capabilities;
    if (capabilities !== undefined) merged.capabilities = { drop: capabilities.drop ?? restricted.capabilities?.drop, add: capabilities.add };
    return merged;
  }

  /**
   * Adds a container to `workload` with the restricted container context, the container's own
   * `securityContext` fields overriding it. From Python, Java and Go this is the way to drop every
   * capability: their cdk8s-plus-27 Capability enum has no 'ALL', so `container()` (and
   * `CAPABILITY_ALL`, which jsii leaves out) work from TypeScript and JavaScript only.
   */
  public static addContainer(workload: kplus.AbstractPod, props: kplus.ContainerProps): kplus.Container {
    return workload.addContainer({ ...props, securityContext: RestrictedSecurity.container(props.securityContext) });
  }

  private constructor() {}
}
