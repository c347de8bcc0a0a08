// Builds the cluster's binaries from upstream Go modules through the Go module proxy, each set from
// a go.mod of its own that pins it (with go.sum): the Kubernetes components from k8s.io/kubernetes
// (test/cluster/kubernetes, a replace line per staging module) and the pause binary from that
// module's own pause.c; containerd, its runc shim and ctr from github.com/containerd/containerd/v2
// (test/cluster/containerd). Cached in .cluster/bin with a stamp per set of what it was built from.
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { BIN, CONTAINERD_VERSION, KUBERNETES_VERSION } from './layout';
import { must } from './processes';

interface GoBuild {
  /** The folder with the go.mod and go.sum that pin the module. */
  module: string;
  /** The module and the version its go.mod must require (the version the binaries report). */
  requires: [string, string];
  /** Binaries that must exist in .cluster/bin for the cache to count. */
  outputs: string[];
  /** The stamp file in .cluster/bin. */
  stamp: string;
  /** The `go build` runs: build tags and packages; the ldflags are the set's own. */
  builds: { tags?: string; packages: string[] }[];
  ldflags: string;
}

/** What the binaries are built from: the module files and the build flags (ldflags, then any tags). */
function buildInputs(build: GoBuild): string {
  const files = ['go.mod', 'go.sum'].map((f) => readFileSync(join(build.module, f), 'utf8'));
  const tags = build.builds.filter((b) => b.tags).map((b) => `tags ${b.tags}`);
  return createHash('sha256').update(JSON.stringify([...files, build.ldflags, ...tags])).digest('hex');
}

/** Builds the set unless the cached binaries were built from the same inputs; returns whether it built. */
async function ensureGoBuild(build: GoBuild, after?: (env: NodeJS.ProcessEnv) => Promise<void>): Promise<boolean> {
  const [path, version] = build.requires;
  if (!new RegExp(`^\\s*${path.replace(/[.]/g, '\\.')} ${version.replace(/[.]/g, '\\.')}\\b`, 'm').test(readFileSync(join(build.module, 'go.mod'), 'utf8'))) {
    throw new Error(`${join(build.module, 'go.mod')} does not require ${path} ${version} (test/cluster/layout.ts says ${version})`);
  }
  const inputs = buildInputs(build);
  const stamp = join(BIN, build.stamp);
  const built = build.outputs.every((o) => existsSync(join(BIN, o))) && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs;
  if (built) return false;
  mkdirSync(BIN, { recursive: true });
  const env = { ...process.env, CGO_ENABLED: '0' };
  for (const b of build.builds) {
    await must('go', ['build', '-trimpath', ...(b.tags ? ['-tags', b.tags] : []), '-ldflags', build.ldflags, '-o', `${BIN}/`, ...b.packages],
      { timeoutMs: 3_600_000, env, cwd: build.module });
  }
  if (after) await after(env);
  writeFileSync(stamp, inputs);
  return true;
}

const KUBERNETES_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kubectl'];

/** kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kubectl, and the pause binary. */
export async function ensureKubernetesBinaries(): Promise<boolean> {
  const module = join(__dirname, 'kubernetes');
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  return ensureGoBuild({
    module,
    requires: ['k8s.io/kubernetes', KUBERNETES_VERSION],
    outputs: [...KUBERNETES_COMMANDS, 'pause'],
    stamp: 'built-from',
    builds: [{ packages: KUBERNETES_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`) }],
    // Without these the binaries report v0.0.0-master, and the node's kubeletVersion with them.
    ldflags: ['-s', '-w',
      ...[['gitVersion', KUBERNETES_VERSION], ['gitMajor', major], ['gitMinor', minor], ['gitTreeState', 'clean']]
        .map(([key, value]) => `-X k8s.io/component-base/version.${key}=${value}`),
    ].join(' '),
  }, async (env) => {
    // The sandbox's pause process, as upstream builds it (build/pause/Makefile): static, with its version.
    const source = (await must('go', ['list', '-m', '-f', '{{.Dir}}', 'k8s.io/kubernetes'], { env, cwd: module })).trim();
    await must('gcc', ['-Os', '-static', '-DVERSION=3.10', '-o', join(BIN, 'pause'), join(source, 'build', 'pause', 'linux', 'pause.c')]);
  });
}

/**
 * containerd, containerd-shim-runc-v2 and ctr, as containerd's Makefile builds them: static
 * (CGO off), tag `urfave_cli_no_docs`, the shim also `no_grpc`; the version stamped without its
 * `v`, so the node reports `containerd://2.4.2` (unstamped it says `2.4.2+unknown`).
 */
export async function ensureContainerdBinaries(): Promise<boolean> {
  const pkg = 'github.com/containerd/containerd/v2';
  return ensureGoBuild({
    module: join(__dirname, 'containerd'),
    requires: [pkg, CONTAINERD_VERSION],
    outputs: ['containerd', 'containerd-shim-runc-v2', 'ctr'],
    stamp: 'containerd-built-from',
    builds: [
      { tags: 'urfave_cli_no_docs', packages: [`${pkg}/cmd/containerd`, `${pkg}/cmd/ctr`] },
      { tags: 'urfave_cli_no_docs no_grpc', packages: [`${pkg}/cmd/containerd-shim-runc-v2`] },
    ],
    ldflags: ['-s', '-w', `-X ${pkg}/version.Version=${CONTAINERD_VERSION.slice(1)}`, `-X ${pkg}/version.Package=${pkg}`].join(' '),
  });
}
