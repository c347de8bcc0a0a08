// Builds the Kubernetes components from the upstream k8s.io/kubernetes Go module (pinned in
// test/cluster/kubernetes/go.mod, with a replace line per staging module), and the pause binary from
// that module's own pause.c. Cached in .cluster/bin with a stamp of what they were built from.
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { BIN, KUBERNETES_VERSION } from './layout';
import { must } from './processes';

const MODULE = join(__dirname, 'kubernetes');
const KUBERNETES_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kubectl'];
const STAMP = join(BIN, 'built-from');

/** What the binaries are built from: the module files and this script's flags. */
function buildInputs(ldflags: string): string {
  const files = ['go.mod', 'go.sum'].map((f) => readFileSync(join(MODULE, f), 'utf8'));
  return createHash('sha256').update(JSON.stringify([...files, ldflags])).digest('hex');
}

/** Builds the binaries unless the cached ones were built from the same inputs; returns whether it built. */
export async function ensureKubernetesBinaries(): Promise<boolean> {
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  // Without these the binaries report v0.0.0-master, and the node's kubeletVersion with them.
  const ldflags = ['-s', '-w',
    ...[['gitVersion', KUBERNETES_VERSION], ['gitMajor', major], ['gitMinor', minor], ['gitTreeState', 'clean']]
      .map(([key, value]) => `-X k8s.io/component-base/version.${key}=${value}`),
  ].join(' ');
  const inputs = buildInputs(ldflags);
  const built = KUBERNETES_COMMANDS.every((c) => existsSync(join(BIN, c))) && existsSync(join(BIN, 'pause')) &&
    existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputs;
  if (built) return false;
  mkdirSync(BIN, { recursive: true });
  const env = { ...process.env, CGO_ENABLED: '0' };
  await must('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', `${BIN}/`, ...KUBERNETES_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`)],
    { timeoutMs: 3_600_000, env, cwd: MODULE });
  // The sandbox's pause process, as upstream builds it (build/pause/Makefile): static, with its version.
  const source = (await must('go', ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], { env, cwd: MODULE })).trim();
  await must('gcc', ['-Os', '-static', '-DVERSION=3.10', '-o', join(BIN, 'pause'), join(source, 'build', 'pause', 'linux', 'pause.c')]);
  writeFileSync(STAMP, inputs);
  return true;
}
