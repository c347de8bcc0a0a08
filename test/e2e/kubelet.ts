// Plays a pod with native sidecars the way the kubelet does, one container at a time, because
// podman's `kube play` ignores `restartPolicy: Always` on init containers and refuses their probes:
//   init containers in order: a run-to-completion step must exit 0 before the next starts, a native
//   sidecar must pass its startupProbe (or, without one, be running); then the app containers;
//   when a pod that runs to completion (restartPolicy Never/OnFailure) has its app containers
//   exited, the native sidecars are stopped in reverse order.
// Every start, readiness and exit is recorded, and `orderFailures` asserts the order from them.
import { chmodSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { setTimeout as sleep } from 'timers/promises';
import * as pm from './podman';

export interface Probe {
  tcpSocket?: { port: number | string; host?: string };
  httpGet?: { port: number | string; path?: string; host?: string };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { containerPort: number; name?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  resources?: { limits?: { cpu?: string | number; memory?: string | number } };
  securityContext?: SecurityContext & {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  restartPolicy?: string;
  startupProbe?: Probe;
}

interface SecurityContext { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean }

export interface Volume { name: string; emptyDir?: object; configMap?: { name: string } }

export interface PodSpec {
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: Volume[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
}

export interface Pod { apiVersion: 'v1'; kind: 'Pod'; metadata: { name: string; labels?: Record<string, string> }; spec: PodSpec }

export const isNativeSidecar = (c: ContainerSpec) => c.restartPolicy === 'Always';
export const hasNativeSidecars = (pod: Pod) => (pod.spec.initContainers ?? []).some(isNativeSidecar);
const STOP_GRACE_SECONDS = 2;
/** How long a run-to-completion init container may take. */
const INIT_WAIT_SECONDS = 60;
const runsToCompletion = (pod: Pod) => ['Never', 'OnFailure'].includes(pod.spec.restartPolicy ?? 'Always');

/** What happened to one container, in ms since the epoch (podman's clock for start and exit). */
export interface Moment {
  container: string;
  role: 'init' | 'sidecar' | 'app';
  started?: number;
  /** Native sidecars: when the startupProbe first passed (or, without one, when it was seen running). */
  ready?: number;
  finished?: number;
  exitCode?: number;
}

const where = (pod: string, container: string) => `pod ${pod}, container ${container}`;
const at = (ms?: number) => (ms ? new Date(ms).toISOString() : 'never');

/** `podman create` arguments for one container, from its rendered spec (kubelet semantics for command/args). */
function createArgs(podName: string, c: ContainerSpec, spec: PodSpec, mounts: Map<string, { dir: string; readOnly: boolean }>): string[] {
  const subject = where(podName, c.name);
  const args = ['create', '--pod', podName, '--name', pm.containerName(podName, c.name), '--pull', 'never'];
  // command replaces the image's ENTRYPOINT (and with it its CMD); args replace CMD only.
  if (c.command) args.push('--entrypoint', JSON.stringify(c.command));
  if (c.workingDir) args.push('--workdir', c.workingDir);
  for (const e of c.env ?? []) {
    if (e.valueFrom) throw new Error(`${subject}: env ${e.name} uses valueFrom, which the e2e kubelet cannot resolve. Give it a value.`);
    args.push('--env', `${e.name}=${e.value ?? ''}`);
  }
  const security = { ...spec.securityContext, ...c.securityContext };
  if (security.runAsUser !== undefined) args.push('--user', `${security.runAsUser}${security.runAsGroup !== undefined ? `:${security.runAsGroup}` : ''}`);
  // The kubelet mounts no tmpfs on a read-only root: a write outside the volumes must fail here too.
  if (c.securityContext?.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
  if (c.securityContext?.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  for (const cap of c.securityContext?.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  for (const cap of c.securityContext?.capabilities?.add ?? []) args.push('--cap-add', cap);
  const limits = c.resources?.limits ?? {};
  if (limits.memory !== undefined) args.push('--memory', podmanMemory(String(limits.memory)));
  if (limits.cpu !== undefined) args.push('--cpus', String(cpuCores(String(limits.cpu))));
  for (const m of c.volumeMounts ?? []) {
    const volume = mounts.get(m.name);
    if (!volume) throw new Error(`${subject}: mounts volume ${m.name}, which the e2e kubelet has not made (only emptyDir and configMap volumes are supported).`);
    if (m.subPath) throw new Error(`${subject}: mount of ${m.name} uses subPath, which the e2e kubelet does not support. Mount the whole volume.`);
    args.push('--volume', `${volume.dir}:${m.mountPath}:${m.readOnly || volume.readOnly ? 'ro' : 'rw'}`);
  }
  return [...args, c.image, ...(c.args ?? [])];
}

/** `128Mi` -> `128m` (podman's units are binary too). */
function podmanMemory(quantity: string): string {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`memory limit ${quantity}: the e2e kubelet reads only plain bytes, Ki, Mi or Gi. Write it like 128Mi.`);
  return match[2] ? `${match[1]}${match[2][0].toLowerCase()}` : match[1];
}

const cpuCores = (quantity: string) => (quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity));

/**
 * The pod's volumes as host directories: emptyDir world-writable (as the kubelet makes it),
 * configMap as its files, read-only.
 */
function makeVolumes(pod: Pod, configMaps: Map<string, Record<string, string>>, workDir: string) {
  const mounts = new Map<string, { dir: string; readOnly: boolean }>();
  for (const v of pod.spec.volumes ?? []) {
    const dir = join(workDir, `${pod.metadata.name}-${v.name}`);
    mkdirSync(dir, { recursive: true });
    if (v.configMap) {
      const data = configMaps.get(v.configMap.name);
      if (!data) throw new Error(`pod ${pod.metadata.name}: volume ${v.name} needs ConfigMap ${v.configMap.name}, which is not in the file. Add the ConfigMap to the same chart.`);
      for (const [file, content] of Object.entries(data)) writeFileSync(join(dir, file), content, { mode: 0o644 });
      chmodSync(dir, 0o755);
      mounts.set(v.name, { dir, readOnly: true });
    } else if (v.emptyDir) {
      chmodSync(dir, 0o777);
      mounts.set(v.name, { dir, readOnly: false });
    }
  }
  return mounts;
}

/**
 * What the kubelet refuses (CreateContainerConfigError) and podman ignores: `runAsNonRoot` with a
 * user that is root, or that it cannot tell is not (the image's USER by name). Messages are the kubelet's.
 */
export async function nonRootProblems(pod: Pod): Promise<string[]> {
  const problems: string[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const security = { ...pod.spec.securityContext, ...c.securityContext };
    if (!security.runAsNonRoot) continue;
    const imageUser = (await pm.podman('image', 'inspect', '--format', '{{.Config.User}}', c.image)).stdout.trim().split(':')[0];
    const user = security.runAsUser !== undefined ? String(security.runAsUser) : imageUser;
    const why = user === '' || user === '0' || user === 'root' ? 'container has runAsNonRoot and image will run as root'
      : /^\d+$/.test(user) ? undefined
      : `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root`;
    if (why) problems.push(`${where(pod.metadata.name, c.name)}: the kubelet refuses it (CreateContainerConfigError): ${why}. Set a non-zero runAsUser.`);
  }
  return problems;
}

const describeProbe = (probe: Probe) => JSON.stringify(probe);

/** A port given by name resolves through the container's ports, as the kubelet does. */
function probePort(c: ContainerSpec, port: number | string): number {
  if (typeof port === 'number') return port;
  const found = c.ports?.find((p) => p.name === port)?.containerPort;
  if (found === undefined) throw new Error(`container ${c.name}: probe port '${port}' names no port of the container. Name the port in ports, or give its number.`);
  return found;
}

/** Runs a probe once, as the kubelet would: TCP and HTTP against the pod IP, exec in the container. */
async function probeOnce(podName: string, network: pm.PodNetwork, c: ContainerSpec, probe: Probe): Promise<{ ok: boolean; output: string }> {
  const timeout = probe.timeoutSeconds ?? 1;
  let r: pm.Result;
  if (probe.tcpSocket) {
    r = await pm.tcpConnectInPod(network, probe.tcpSocket.host ?? network.ip, probePort(c, probe.tcpSocket.port), timeout);
  } else if (probe.httpGet) {
    const url = `http://${probe.httpGet.host ?? network.ip}:${probePort(c, probe.httpGet.port)}${probe.httpGet.path ?? '/'}`;
    r = await pm.httpGetInPod(network, url, timeout);
  } else if (probe.exec) {
    r = await pm.run('podman', ['exec', pm.containerName(podName, c.name), ...probe.exec.command], (timeout + 2) * 1000);
  } else {
    throw new Error(`${where(podName, c.name)}: startupProbe ${describeProbe(probe)} has no tcpSocket, httpGet or exec.`);
  }
  return { ok: r.code === 0, output: `${r.stdout}${r.stderr}`.trim().split('\n').pop() ?? '' };
}

/**
 * Waits for a native sidecar to be started: its startupProbe passes (initialDelaySeconds, then
 * every periodSeconds, failing after failureThreshold misses), or without a probe, it is running.
 * Returns a failure, or undefined once started.
 */
async function waitUntilStarted(podName: string, network: pm.PodNetwork, c: ContainerSpec, isInterrupted: () => boolean): Promise<string | undefined> {
  const probe = c.startupProbe;
  const name = pm.containerName(podName, c.name);
  if (!probe) return undefined; // `podman start` returned: it is running
  await sleep((probe.initialDelaySeconds ?? 0) * 1000);
  const threshold = probe.failureThreshold ?? 3;
  let last = '';
  for (let attempt = 1; attempt <= threshold && !isInterrupted(); attempt++) {
    const state = await pm.times(name);
    if (state?.status === 'exited') {
      return `${where(podName, c.name)}: native sidecar exited (exit code ${state.exitCode}) before its startupProbe passed; probe ${describeProbe(probe)}`;
    }
    const result = await probeOnce(podName, network, c, probe);
    if (result.ok) return undefined;
    last = result.output;
    await sleep((probe.periodSeconds ?? 10) * 1000);
  }
  return `${where(podName, c.name)}: startupProbe never passed (${threshold} tries, every ${probe.periodSeconds ?? 10} s): ` +
    `${describeProbe(probe)}${last ? `; last try: ${last}` : ''}. The kubelet would restart it and never start the containers after it.`;
}

/**
 * Creates the pod and starts its containers in the kubelet's order. Returns the failures (none =
 * everything started) and the moments recorded so far. What the player cannot play (a subPath, a
 * missing ConfigMap, an unknown probe port) is a failure too, naming the pod, container and fix.
 */
export async function startPod(pod: Pod, configMaps: Map<string, Record<string, string>>, workDir: string, isInterrupted: () => boolean) {
  const moments: Moment[] = [];
  try {
    return await startInOrder(pod, configMaps, workDir, isInterrupted, moments);
  } catch (error) {
    return { failures: [(error as Error).message], moments };
  }
}

async function startInOrder(pod: Pod, configMaps: Map<string, Record<string, string>>, workDir: string, isInterrupted: () => boolean, moments: Moment[]) {
  const podName = pod.metadata.name;
  const failures: string[] = [];
  const created = await pm.podman('pod', 'create', '--name', podName);
  if (created.code) return { failures: [`pod ${podName}: podman pod create failed: ${created.stderr.trim()}`], moments };
  // The infra container holds the pod's network namespace: start it first, so probes have one.
  await pm.podman('pod', 'start', podName);
  const net = await pm.podNetwork(podName);
  if (!net) return { failures: [`pod ${podName}: no network namespace found for its infra container`], moments };
  const mounts = makeVolumes(pod, configMaps, workDir);
  const inits = pod.spec.initContainers ?? [];
  for (const c of [...inits, ...pod.spec.containers]) {
    const r = await pm.podman(...createArgs(podName, c, pod.spec, mounts));
    if (r.code) return { failures: [`${where(podName, c.name)}: podman create failed: ${r.stderr.trim()}`], moments };
  }

  const start = async (c: ContainerSpec, role: Moment['role']) => {
    const moment: Moment = { container: c.name, role };
    moments.push(moment);
    const r = await pm.podman('start', pm.containerName(podName, c.name));
    moment.started = (await pm.times(pm.containerName(podName, c.name)))?.started;
    return r.code ? `${where(podName, c.name)}: podman start failed: ${r.stderr.trim()}` : undefined;
  };
  for (const c of inits) {
    if (isInterrupted()) return { failures: ['interrupted'], moments };
    const role = isNativeSidecar(c) ? 'sidecar' : 'init';
    const failed = await start(c, role);
    if (failed) return { failures: [failed], moments };
    const moment = moments[moments.length - 1];
    if (role === 'sidecar') {
      const notStarted = await waitUntilStarted(podName, net, c, isInterrupted);
      if (notStarted) return { failures: [notStarted], moments };
      moment.ready = Date.now();
    } else {
      await pm.run('podman', ['wait', pm.containerName(podName, c.name)], INIT_WAIT_SECONDS * 1000);
      const state = await pm.times(pm.containerName(podName, c.name));
      moment.finished = state?.finished;
      moment.exitCode = state?.exitCode;
      if (state?.status !== 'exited' || state.exitCode !== 0) {
        const what = state?.status === 'exited' ? `exited with exit code ${state.exitCode}` : `still ${state?.status ?? 'missing'} after ${INIT_WAIT_SECONDS} s`;
        return { failures: [`${where(podName, c.name)}: init container ${what}; the kubelet would not start the containers after it`], moments };
      }
    }
  }
  for (const c of pod.spec.containers) {
    const failed = await start(c, 'app');
    if (failed) failures.push(failed);
  }
  return { failures, moments };
}

/**
 * For a pod that runs to completion: waits for its app containers to exit, then stops the native
 * sidecars in reverse order, as the kubelet does. Other pods run on until teardown.
 */
export async function finishPod(pod: Pod, moments: Moment[], deadline: number, isInterrupted: () => boolean): Promise<string[]> {
  const podName = pod.metadata.name;
  if (!runsToCompletion(pod)) return [];
  const apps = moments.filter((m) => m.role === 'app');
  for (const app of apps) {
    for (;;) {
      const state = await pm.times(pm.containerName(podName, app.container));
      if (state?.status === 'exited') {
        app.finished = state.finished;
        app.exitCode = state.exitCode;
        break;
      }
      if (isInterrupted()) return ['interrupted'];
      if (Date.now() > deadline) return [`${where(podName, app.container)}: still running at the deadline; a pod with restartPolicy ${pod.spec.restartPolicy} must complete`];
      await sleep(500);
    }
  }
  const failures = apps.filter((a) => a.exitCode !== 0).map((a) => `${where(podName, a.container)}: exited with exit code ${a.exitCode}; the pod did not complete`);
  // SIGTERM, then SIGKILL after the grace period: the pod's, capped so a shell that ignores
  // SIGTERM (busybox sh as PID 1) costs the e2e 2 s, not 30.
  const grace = String(Math.min(pod.spec.terminationGracePeriodSeconds ?? 30, STOP_GRACE_SECONDS));
  for (const sidecar of moments.filter((m) => m.role === 'sidecar').reverse()) {
    const name = pm.containerName(podName, sidecar.container);
    await pm.podman('stop', '--time', grace, name);
    const state = await pm.times(name);
    sidecar.finished = state?.finished;
    sidecar.exitCode = state?.exitCode;
  }
  return failures;
}

/** Asserts the kubelet's order from the recorded moments. */
export function orderFailures(pod: Pod, moments: Moment[]): string[] {
  const podName = pod.metadata.name;
  const failures: string[] = [];
  let gate: Moment | undefined; // the last init container: what the next one waits for
  const gateTime = (m: Moment) => (m.role === 'sidecar' ? m.ready : m.finished);
  for (const m of moments) {
    if (gate && (m.started ?? 0) < (gateTime(gate) ?? Infinity)) {
      failures.push(`${where(podName, m.container)}: started at ${at(m.started)}, before ${gate.role} ${gate.container} was ${gate.role === 'sidecar' ? 'ready' : 'done'} (${at(gateTime(gate))})`);
    }
    if (m.role !== 'app') gate = m;
  }
  if (runsToCompletion(pod)) {
    const lastAppExit = Math.max(...moments.filter((m) => m.role === 'app').map((m) => m.finished ?? Infinity));
    const sidecars = moments.filter((m) => m.role === 'sidecar');
    for (const [i, s] of sidecars.entries()) {
      if ((s.finished ?? 0) < lastAppExit) failures.push(`${where(podName, s.container)}: sidecar stopped at ${at(s.finished)}, before the app containers exited (${at(lastAppExit)})`);
      const later = sidecars[i + 1];
      if (later && (s.finished ?? 0) < (later.finished ?? Infinity)) {
        failures.push(`${where(podName, s.container)}: stopped at ${at(s.finished)}, before ${later.container} (declared after it) at ${at(later.finished)}: not reverse order`);
      }
    }
  }
  return failures;
}

/** The recorded moments as lines for the report, times relative to the first start. */
export function timeline(moments: Moment[]): string[] {
  const zero = Math.min(...moments.map((m) => m.started ?? Infinity));
  const rel = (ms?: number) => (ms ? `${((ms - zero) / 1000).toFixed(2)} s` : '-');
  return moments.map((m) =>
    `${m.role.padEnd(7)} ${m.container.padEnd(16)} started ${rel(m.started)}` +
    (m.ready ? `, ready ${rel(m.ready)}` : '') +
    (m.finished ? `, exited ${rel(m.finished)} (exit code ${m.exitCode ?? '-'})` : ''));
}
