import { Manifest } from './synth';

/** Volume types the Pod Security Standards "restricted" profile allows. */
// As pod-security-admission v0.37.2 lists them (policy/check_restrictedVolumes.go): image volumes are allowed.
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * Violations of Pod Security Standards "restricted" (Kubernetes 1.27 policy) in one pod spec,
 * each as `<pod>/<container>: <what>`; an empty list means the pod would be admitted.
 */
export function restrictedViolations(pod: string, spec: Manifest): string[] {
  const violations: string[] = [];
  const podContext = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) violations.push(`${pod}: ${field} is true`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.includes(type)) violations.push(`${pod}: volume ${volume.name} is ${type}`);
  }
  if (podContext.runAsUser === 0) violations.push(`${pod}: pod runAsUser is 0`);
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    const where = `${pod}/${container.name}`;
    const context = container.securityContext ?? {};
    if (context.privileged === true) violations.push(`${where}: privileged`);
    if (context.allowPrivilegeEscalation !== false) violations.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(context.runAsNonRoot ?? podContext.runAsNonRoot)) violations.push(`${where}: runAsNonRoot is not true`);
    if (context.runAsUser === 0) violations.push(`${where}: runAsUser is 0`);
    const seccomp = (context.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') violations.push(`${where}: seccompProfile is ${seccomp}`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) violations.push(`${where}: capabilities do not drop ALL`);
    const added = (context.capabilities?.add ?? []).filter((c: string) => c !== 'NET_BIND_SERVICE');
    if (added.length > 0) violations.push(`${where}: adds capabilities ${added.join(', ')}`);
    for (const port of container.ports ?? []) {
      if (port.hostPort) violations.push(`${where}: hostPort ${port.hostPort}`);
    }
  }
  return violations;
}
