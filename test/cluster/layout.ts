// Where the test cluster keeps everything, and the addresses it uses. One place, so `up`, `down`
// and the e2e agree. Everything lives under the ignored `.cluster/` at the repository's root.
import { join } from 'path';

export const KUBERNETES_VERSION = 'v1.37.2';
/** github.com/containerd/containerd/v2, built like Kubernetes (test/cluster/containerd/go.mod): image volumes need 2.1 or later. */
export const CONTAINERD_VERSION = 'v2.4.2';

export const ROOT = join(__dirname, '..', '..');
export const CLUSTER = join(ROOT, '.cluster');

/** Kept by `cluster:down`: the built binaries and the registry's images (caches). */
export const BIN = join(CLUSTER, 'bin');
export const REGISTRY_STORAGE = join(CLUSTER, 'registry');
/** Removed by `cluster:down`: pids, logs, certificates, configs and every component's data. */
export const RUN = join(CLUSTER, 'run');
export const STATE = join(CLUSTER, 'state');

export const KUBECONFIG = join(CLUSTER, 'kubeconfig');
export const KUBECTL = join(BIN, 'kubectl');

/** The node's address: on an interface of this machine with no ports, so nothing leaves it. */
export const NODE_INTERFACE = 'cdk8s-node0';
export const NODE_IP = '10.213.0.1';
export const NODE_NAME = 'cdk8s-e2e';
/** Pods' addresses, away from podman's 10.88.0.0/16 and 10.89.0.0/24. */
export const POD_CIDR = '10.214.0.0/24';
export const POD_BRIDGE = 'cdk8s-cni0';
export const SERVICE_CIDR = '10.215.0.0/24';

export const API_SERVER = `https://${NODE_IP}:6443`;
export const ETCD_URL = 'http://127.0.0.1:23790';
export const ETCD_PEER_URL = 'http://127.0.0.1:23800';
export const REGISTRY_ADDRESS = '127.0.0.1:5001';
export const CONTAINERD_SOCKET = join(STATE, 'containerd', 'containerd.sock');

/** The registries the manifests name, all mirrored by the local registry. */
export const MIRRORED_REGISTRIES = ['docker.io', 'registry.k8s.io', 'quay.io', 'ghcr.io'];
/** containerd's sandbox image, built from Kubernetes' own pause.c. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** The components in start order; `down` stops them in reverse. */
export const COMPONENTS = ['registry', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'containerd', 'kubelet'] as const;
export type Component = typeof COMPONENTS[number];

export const pidFile = (component: Component) => join(RUN, `${component}.pid`);
export const logFile = (component: Component) => join(RUN, `${component}.log`);
