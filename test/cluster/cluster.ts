// A single-node Kubernetes of real upstream components
// (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kubectl built from
// k8s.io/kubernetes; containerd, its runc shim and ctr built from github.com/containerd/containerd/v2;
// Debian's etcd, runc, CNI plugins and docker-registry), run as root.
// `up` and `down` are idempotent. `up` prints one line per phase with its time, and leaves .cluster/kubeconfig
// and .cluster/bin/kubectl; `down` stops what `up` started, by recorded pid, and removes its state.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ensureContainerdBinaries, ensureKubernetesBinaries } from './build';
import {
  ADMISSION, CONTAINERD_CONFIG, KUBELET_CONFIG, kubeconfigFor, REGISTRY_CONFIG, SERVICE_ACCOUNT_KEY, SERVING_CERT, SERVING_KEY,
  TOKENS, writeAdmission, writeContainerdConfig, writeCredentials, writeKubeletConfig, writeRegistryConfig,
} from './configs';
import { ensureImages } from './images';
import {
  BIN, COMPONENTS, CONTAINERD_SOCKET, CONTAINERD_VERSION, ETCD_PEER_URL, ETCD_URL, KUBECONFIG, KUBECTL, KUBERNETES_VERSION, NODE_INTERFACE,
  NODE_IP, NODE_NAME, POD_BRIDGE, REGISTRY_ADDRESS, RUN, SERVICE_CIDR, STATE,
} from './layout';
import { must, run, runningPid, startComponent, stopComponent, waitFor } from './processes';

/** Debian packages the cluster and its images need (containerd is built, see build.ts). */
const PACKAGES = ['runc', 'containernetworking-plugins', 'etcd-server', 'docker-registry', 'podman', 'busybox-static',
  'mmdebstrap', 'iproute2', 'iptables', 'openssl', 'curl', 'gcc', 'libc6-dev'];

async function phase<T>(name: string, work: () => Promise<T>, describe: (result: T) => string = () => ''): Promise<T> {
  const started = Date.now();
  const result = await work();
  const detail = describe(result);
  console.log(`cluster: ${name.padEnd(26)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s${detail ? `  ${detail}` : ''}`);
  return result;
}

async function ensurePackages(): Promise<string[]> {
  const absent: string[] = [];
  for (const p of PACKAGES) if ((await run('dpkg-query', ['-W', '-f', '${Status}', p])).stdout !== 'install ok installed') absent.push(p);
  if (!absent.length) return absent;
  await must('apt-get', ['update', '-q'], { timeoutMs: 600_000 });
  await must('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...absent],
    { timeoutMs: 1_200_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return absent;
}

/** kubectl against the test cluster, as a user runs it with KUBECONFIG set. */
export const kubectl = (args: string[], input?: string) => run(KUBECTL, ['--kubeconfig', KUBECONFIG, ...args], { timeoutMs: 120_000, input });

/** True when every component `up` starts is running and the node reports Ready. */
async function isUp(): Promise<boolean> {
  if (COMPONENTS.some((c) => !runningPid(c)) || !existsSync(KUBECONFIG)) return false;
  return (await nodeReady()) === 'True';
}

async function nodeReady(): Promise<string> {
  const r = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** The node's address on an interface of its own: a bridge with no ports (this kernel has no dummy module; the kubelet refuses a loopback node IP). */
async function ensureNodeInterface(): Promise<void> {
  if ((await run('ip', ['link', 'show', NODE_INTERFACE])).code !== 0) {
    await must('ip', ['link', 'add', NODE_INTERFACE, 'type', 'bridge']);
  }
  await run('ip', ['addr', 'add', `${NODE_IP}/32`, 'dev', NODE_INTERFACE]);
  await must('ip', ['link', 'set', NODE_INTERFACE, 'up']);
  // The kubelet and containerd need shared mount propagation for volumes.
  await must('mount', ['--make-rshared', '/']);
}

/** A self-signed serving certificate for the API server (also the CA the kubeconfigs trust) and the service-account key. */
async function writeCertificates(): Promise<void> {
  mkdirSync(join(SERVING_CERT, '..'), { recursive: true });
  await must('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kube-apiserver',
    '-addext', `subjectAltName=IP:${NODE_IP},IP:127.0.0.1,IP:${SERVICE_CIDR.replace(/0\/\d+$/, '1')},DNS:kubernetes,DNS:kubernetes.default.svc`,
    '-keyout', SERVING_KEY, '-out', SERVING_CERT]);
  await must('openssl', ['genrsa', '-out', SERVICE_ACCOUNT_KEY, '2048']);
}

async function httpOk(url: string, ...curlArgs: string[]): Promise<boolean> {
  return (await run('curl', ['-sf', '-m', '2', ...curlArgs, url])).code === 0;
}

async function startRegistry(): Promise<void> {
  writeRegistryConfig();
  startComponent('registry', '/usr/bin/docker-registry', ['serve', REGISTRY_CONFIG]);
  await waitFor('registry', `serving on ${REGISTRY_ADDRESS}`, () => httpOk(`http://${REGISTRY_ADDRESS}/v2/`), 30_000);
}

async function startControlPlane(): Promise<void> {
  startComponent('etcd', '/usr/bin/etcd', ['--name', NODE_NAME, '--data-dir', join(STATE, 'etcd'),
    '--listen-client-urls', ETCD_URL, '--advertise-client-urls', ETCD_URL,
    '--listen-peer-urls', ETCD_PEER_URL, '--initial-advertise-peer-urls', ETCD_PEER_URL,
    '--initial-cluster', `${NODE_NAME}=${ETCD_PEER_URL}`, '--unsafe-no-fsync']);
  await waitFor('etcd', 'healthy', () => httpOk(`${ETCD_URL}/health`), 30_000);

  startComponent('kube-apiserver', join(BIN, 'kube-apiserver'), [
    `--etcd-servers=${ETCD_URL}`, `--advertise-address=${NODE_IP}`, `--bind-address=${NODE_IP}`, '--secure-port=6443',
    `--tls-cert-file=${SERVING_CERT}`, `--tls-private-key-file=${SERVING_KEY}`,
    `--token-auth-file=${TOKENS}`, '--authorization-mode=Node,RBAC', '--anonymous-auth=false',
    `--service-cluster-ip-range=${SERVICE_CIDR}`, '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${SERVICE_ACCOUNT_KEY}`, `--service-account-signing-key-file=${SERVICE_ACCOUNT_KEY}`,
    // No DNS: reach the kubelet (logs, exec) at the node's address, not its name.
    '--kubelet-preferred-address-types=InternalIP',
    '--enable-admission-plugins=NodeRestriction', `--admission-control-config-file=${ADMISSION}`,
    // Privileged containers are allowed by the server so that PodSecurity, not this flag, is what refuses them.
    '--allow-privileged=true',
  ]);
  await waitFor('kube-apiserver', 'ready', async () => (await kubectl(['get', '--raw', '/readyz'])).code === 0, 120_000);

  const admin = kubeconfigFor('admin');
  startComponent('kube-controller-manager', join(BIN, 'kube-controller-manager'), [
    `--kubeconfig=${admin}`, '--leader-elect=false', '--bind-address=127.0.0.1',
    `--root-ca-file=${SERVING_CERT}`, `--service-account-private-key-file=${SERVICE_ACCOUNT_KEY}`, '--use-service-account-credentials=false',
  ]);
  startComponent('kube-scheduler', join(BIN, 'kube-scheduler'), [`--kubeconfig=${admin}`, '--leader-elect=false', '--bind-address=127.0.0.1']);
}

async function startNode(): Promise<void> {
  writeContainerdConfig();
  startComponent('containerd', join(BIN, 'containerd'), ['--config', CONTAINERD_CONFIG]);
  await waitFor('containerd', 'serving', () => existsSync(CONTAINERD_SOCKET), 30_000);

  writeKubeletConfig(NODE_IP);
  startComponent('kubelet', join(BIN, 'kubelet'), [
    `--config=${KUBELET_CONFIG}`, `--kubeconfig=${kubeconfigFor('node')}`, `--root-dir=${join(STATE, 'kubelet')}`,
    `--node-ip=${NODE_IP}`, `--hostname-override=${NODE_NAME}`,
  ]);
  await waitFor('kubelet', `node ${NODE_NAME} Ready`, async () => (await nodeReady()) === 'True', 180_000);
}

export async function up(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the test cluster runs as root (containerd, kubelet, network)');
  if (await isUp()) {
    console.log(`cluster: already up (node ${NODE_NAME} Ready); KUBECONFIG=${KUBECONFIG}`);
    return;
  }
  await down(); // leftovers of a half-started or killed run
  const started = Date.now();
  await phase('Debian packages', ensurePackages, (installed) => (installed.length ? `installed ${installed.join(' ')}` : 'present'));
  await phase('Kubernetes binaries', ensureKubernetesBinaries, (built) => `${KUBERNETES_VERSION} ${built ? 'built' : 'cached'}`);
  await phase('containerd binaries', ensureContainerdBinaries, (built) => `${CONTAINERD_VERSION} ${built ? 'built' : 'cached'}`);
  for (const dir of [RUN, STATE]) mkdirSync(dir, { recursive: true });
  await phase('node interface', ensureNodeInterface, () => `${NODE_INTERFACE} ${NODE_IP}`);
  await phase('registry', startRegistry, () => REGISTRY_ADDRESS);
  await phase('images', ensureImages, (pushed) => (pushed.length ? `pushed ${pushed.join(' ')}` : 'all in the registry'));
  await phase('certificates and configs', async () => {
    await writeCertificates();
    writeFileSync(KUBECONFIG, writeCredentials());
    writeAdmission();
  });
  await phase('control plane', startControlPlane, () => 'etcd, kube-apiserver, kube-controller-manager, kube-scheduler');
  await phase('node', startNode, () => `containerd, kubelet: ${NODE_NAME} Ready`);
  const version = (await must(KUBECTL, ['--kubeconfig', KUBECONFIG, 'get', 'node', NODE_NAME, '-o',
    'jsonpath={.status.nodeInfo.kubeletVersion} on {.status.nodeInfo.containerRuntimeVersion}'])).trim();
  console.log(`cluster: up in ${((Date.now() - started) / 1000).toFixed(1)} s: node ${NODE_NAME} Ready, kubelet ${version}`);
  console.log(`cluster: export KUBECONFIG=${KUBECONFIG}; ${KUBECTL} get pods`);
}

/** Mounts under `dir` (deepest first), as /proc/self/mountinfo lists them. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((point): point is string => !!point && point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Stops what `up` started, in reverse order, by recorded pid. Before containerd goes, the pods'
 * containers are killed through containerd itself (its shims are its children, not ours).
 */
export async function down(): Promise<void> {
  const stopped: string[] = [];
  for (const component of [...COMPONENTS].reverse()) {
    if (component === 'containerd' && runningPid('containerd')) await removePodContainers();
    if ((await stopComponent(component)) === 'stopped') stopped.push(component);
  }
  for (const point of existsSync(STATE) ? mountsUnder(STATE) : []) await run('umount', ['-l', point]);
  rmSync(STATE, { recursive: true, force: true });
  rmSync(RUN, { recursive: true, force: true });
  rmSync(KUBECONFIG, { force: true });
  for (const link of [POD_BRIDGE, NODE_INTERFACE]) await run('ip', ['link', 'del', link]);
  if (stopped.length) console.log(`cluster: stopped ${stopped.join(', ')}; state removed (${BIN} and the registry's images kept)`);
}

/** Kills and deletes every task and container in containerd's Kubernetes namespace, pods' sandboxes included. */
async function removePodContainers(): Promise<void> {
  const ctr = (...args: string[]) => run(join(BIN, 'ctr'), ['--address', CONTAINERD_SOCKET, '--namespace', 'k8s.io', ...args], { timeoutMs: 30_000 });
  const ids = (await ctr('containers', 'list', '--quiet')).stdout.split('\n').filter(Boolean);
  for (const id of ids) await ctr('tasks', 'kill', '--signal', 'SIGKILL', id);
  for (const id of ids) {
    await ctr('tasks', 'delete', '--force', id);
    await ctr('containers', 'delete', id);
  }
}
