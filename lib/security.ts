import * as kplus from 'cdk8s-plus-27';

/**
 * The uid and gid pattern containers run as: `nobody` exists in busybox and most base images,
 * and a numeric non-root user is what lets a kubelet honour `runAsNonRoot` on images built as root.
 */
export const NON_ROOT_ID = 65534;

/**
 * Capability names as Kubernetes and Pod Security Standards spell them. cdk8s-plus-27's Capability
 * enum has no 'ALL' and prefixes names with CAP_, which the "restricted" profile does not accept.
 */
export const CAPABILITY_ALL = 'ALL' as kplus.Capability;
/** The one capability "restricted" lets a container add: binding ports below 1024. */
export const CAPABILITY_NET_BIND_SERVICE = 'NET_BIND_SERVICE' as kplus.Capability;

/**
 * The container security context every pattern container gets unless its props override a field:
 * non-root, read-only root filesystem, no privilege escalation, every capability dropped
 * (Pod Security Standards "restricted"). Pattern containers write only to emptyDir mounts.
 */
export const RESTRICTED_CONTAINER_SECURITY: kplus.ContainerSecurityContextProps = {
  user: NON_ROOT_ID,
  group: NON_ROOT_ID,
  ensureNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: [CAPABILITY_ALL] },
};

/** The pod security context for pods built in this project's charts: non-root by uid, gid and fsGroup. */
export const RESTRICTED_POD_SECURITY: kplus.PodSecurityContextProps = {
  user: NON_ROOT_ID,
  group: NON_ROOT_ID,
  fsGroup: NON_ROOT_ID,
  ensureNonRoot: true,
};

/** The restricted defaults with the given fields overriding them, so opting out is explicit and per field. */
export function restrictedSecurityContext(
  overrides: kplus.ContainerSecurityContextProps = {},
): kplus.ContainerSecurityContextProps {
  return { ...RESTRICTED_CONTAINER_SECURITY, ...overrides };
}
