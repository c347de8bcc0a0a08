// The config files of the test cluster's components, written under .cluster/run before they start.
import { randomBytes } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  API_SERVER, BIN, CONTAINERD_SOCKET, MIRRORED_REGISTRIES, NODE_NAME, PAUSE_IMAGE, POD_BRIDGE, POD_CIDR, REGISTRY_ADDRESS,
  REGISTRY_STORAGE, RUN, STATE,
} from './layout';

export const PKI = join(RUN, 'pki');
export const CONFIG = join(RUN, 'config');
export const SERVING_CERT = join(PKI, 'apiserver.crt');
export const SERVING_KEY = join(PKI, 'apiserver.key');
export const SERVICE_ACCOUNT_KEY = join(PKI, 'service-account.key');
export const TOKENS = join(PKI, 'tokens.csv');
export const ADMISSION = join(CONFIG, 'admission.yaml');
export const REGISTRY_CONFIG = join(CONFIG, 'registry.yaml');
export const CONTAINERD_CONFIG = join(CONFIG, 'containerd.toml');
export const KUBELET_CONFIG = join(CONFIG, 'kubelet.yaml');
export const CNI_CONFIG_DIR = join(CONFIG, 'cni');
export const HOSTS_DIR = join(CONFIG, 'certs.d');
/** Debian's runc and CNI plugins. */
export const RUNC = '/usr/sbin/runc';
export const CNI_BIN_DIR = '/usr/lib/cni';
export const RESOLV_CONF = join(CONFIG, 'resolv.conf');
export const kubeconfigFor = (user: string) => join(CONFIG, `${user}.kubeconfig`);

/** Users of the API: the admin (kubectl and the control plane) and the node, authorized by the Node authorizer. */
export const USERS = {
  admin: { name: 'cluster-admin', groups: 'system:masters' },
  node: { name: `system:node:${NODE_NAME}`, groups: 'system:nodes' },
} as const;

const write = (path: string, content: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
};

/** A kubeconfig for `user`'s token. The API server's certificate is self-signed for this run: trust it as the CA. */
function kubeconfig(user: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: cdk8s-e2e
  cluster:
    server: ${API_SERVER}
    certificate-authority: ${SERVING_CERT}
users:
- name: ${user}
  user:
    token: ${token}
contexts:
- name: cdk8s-e2e
  context: {cluster: cdk8s-e2e, user: ${user}, namespace: default}
current-context: cdk8s-e2e
`;
}

/** Static tokens (fresh each `up`) and one kubeconfig per user; returns the admin's kubeconfig text. */
export function writeCredentials(): string {
  const tokens = Object.entries(USERS).map(([key, user]) => ({ key, ...user, token: randomBytes(24).toString('hex') }));
  write(TOKENS, tokens.map((t, i) => `${t.token},${t.name},uid-${i},"${t.groups}"`).join('\n') + '\n');
  for (const t of tokens) write(kubeconfigFor(t.key), kubeconfig(t.name, t.token));
  return kubeconfig(USERS.admin.name, tokens[0].token);
}

/** PodSecurity `restricted` enforced, warned and audited on every namespace but kube-system, as a hardened cluster does. */
export function writeAdmission(): void {
  write(ADMISSION, `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: restricted
      enforce-version: latest
      audit: restricted
      audit-version: latest
      warn: restricted
      warn-version: latest
    exemptions:
      usernames: []
      runtimeClasses: []
      namespaces: [kube-system]
`);
}

/** Debian's docker-registry on loopback, storing under .cluster/registry (kept between runs). */
export function writeRegistryConfig(): void {
  write(REGISTRY_CONFIG, `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${REGISTRY_STORAGE}
  delete:
    enabled: true
http:
  addr: ${REGISTRY_ADDRESS}
`);
}

/**
 * containerd 2.4 with its own root, state and sockets; runc through the shim built beside it, with
 * cgroupfs (no systemd here); the local pause image; its own CNI config dir; and every mirrored
 * registry served by the local one. Config version 4 (containerd 2.3+; 2.4 migrates a version 3 file
 * at every start and warns): as in 3, the CRI plugin's images and runtime halves are plugins of their
 * own; new in 4, the gRPC and ttrpc servers are plugins too, and ttrpc no longer follows the gRPC
 * address. docs/cri/config.md and RELEASES.md of containerd's module; `containerd config migrate`.
 */
export function writeContainerdConfig(): void {
  const dir = join(STATE, 'containerd');
  write(CONTAINERD_CONFIG, `version = 4
root = "${join(dir, 'root')}"
state = "${join(dir, 'state')}"
[plugins."io.containerd.server.v1.grpc"]
  address = "${CONTAINERD_SOCKET}"
[plugins."io.containerd.server.v1.ttrpc"]
  address = "${CONTAINERD_SOCKET}.ttrpc"
# Nothing outside .cluster: no NRI socket in /var/run/nri, no /opt/containerd.
[plugins."io.containerd.nri.v1.nri"]
  disable = true
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, 'opt')}"
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "${PAUSE_IMAGE}"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "${HOSTS_DIR}"
[plugins."io.containerd.cri.v1.runtime"]
  netns_mounts_under_state_dir = true
  # This machine's root lacks CAP_SYS_RESOURCE: the pause container's oom_score_adj of -998 fails
  # runc ("can't get final child's PID from pipe"). Keep scores at or above containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      # Our shim, not one on PATH (Debian's containerd package has its own).
      runtime_path = "${join(BIN, 'containerd-shim-runc-v2')}"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "${RUNC}"
        Root = "${join(dir, 'runc')}"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["${CNI_BIN_DIR}"]
    conf_dir = "${CNI_CONFIG_DIR}"
`);
  for (const registry of MIRRORED_REGISTRIES) {
    const server = registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`;
    write(join(HOSTS_DIR, registry, 'hosts.toml'), `server = "${server}"
[host."http://${REGISTRY_ADDRESS}"]
  capabilities = ["pull", "resolve"]
`);
  }
  // A bridge with host-local addresses: probes reach the pod IP from the node; nothing is routed out.
  write(join(CNI_CONFIG_DIR, '10-cdk8s-e2e.conflist'), JSON.stringify({
    cniVersion: '0.4.0',
    name: 'cdk8s-e2e',
    plugins: [
      {
        type: 'bridge', bridge: POD_BRIDGE, isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], dataDir: join(STATE, 'cni') },
      },
      { type: 'loopback' },
    ],
  }, null, 2) + '\n');
}

/**
 * The kubelet for cgroup v1 without systemd (cgroupfs, failCgroupV1 false), talking to our
 * containerd. Its own API is only on the node IP, anonymous and always allowed: a throwaway test node.
 */
export function writeKubeletConfig(nodeIp: string): void {
  write(RESOLV_CONF, 'nameserver 127.0.0.1\n');
  write(KUBELET_CONFIG, `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${nodeIp}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupsPerQOS: true
cgroupRoot: /
failCgroupV1: false
failSwapOn: false
enforceNodeAllocatable: [pods]
containerRuntimeEndpoint: unix://${CONTAINERD_SOCKET}
resolvConf: ${RESOLV_CONF}
# No DNS server runs: the node IP answers port 53 with a refusal, so a lookup fails at once.
clusterDNS: [${nodeIp}]
clusterDomain: cluster.local
podLogsDir: ${join(STATE, 'pod-logs')}
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
`);
}
