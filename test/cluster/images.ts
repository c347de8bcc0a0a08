// The images the manifests name, built here (no registry can be reached) and pushed to the cluster's
// registry under their upstream names, so `kubectl apply -f dist/` runs exactly what it ships.
// podman only builds them: busybox from Debian's busybox-static, the pause image from Kubernetes'
// own pause.c, and the real software's stand-ins (stand-ins.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BIN, PAUSE_IMAGE, REGISTRY_ADDRESS, REGISTRY_STORAGE } from './layout';
import { must, run } from './processes';
import { ensureStandIns, STAND_INS } from './stand-ins';

const BUSYBOX_IMAGES = ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36'];

/** Every image the cluster serves. */
const SERVED_IMAGES = [...BUSYBOX_IMAGES, PAUSE_IMAGE, ...STAND_INS.map((s) => s.image)];

/**
 * podman on this kernel: crun fails and podman's default ulimits cannot be set ("error setting
 * rlimits ... operation not permitted"). Use runc without them, only where a container fails to run.
 */
async function ensurePodmanRuns(image: string): Promise<void> {
  if ((await run('podman', ['run', '--rm', '--network', 'none', image, 'true'])).code === 0) return;
  const conf = '/etc/containers/containers.conf';
  if (existsSync(conf) && !existsSync(`${conf}.orig`)) copyFileSync(conf, `${conf}.orig`);
  mkdirSync('/etc/containers', { recursive: true });
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
  await must('podman', ['run', '--rm', '--network', 'none', image, 'true']);
}

/** Imports the directory `root` as `tags` (podman import of its tar) with the Dockerfile-like `changes`. */
async function importDirectory(root: string, tags: string[], changes: string[]): Promise<void> {
  const tar = `${root}.tar`;
  await must('tar', ['-C', root, '-cf', tar, '.']);
  await must('podman', ['import', ...changes.flatMap((c) => ['--change', c]), tar, tags[0]]);
  for (const tag of tags.slice(1)) await must('podman', ['tag', tags[0], tag]);
}

const missing = async (images: string[]) =>
  (await Promise.all(images.map(async (i) => ((await run('podman', ['image', 'exists', i])).code ? i : undefined)))).filter(Boolean);

/** busybox from Debian's busybox-static: one symlink per applet, root and nobody (65534) users. */
async function ensureBusybox(work: string): Promise<void> {
  if (!(await missing(BUSYBOX_IMAGES)).length) return;
  const root = join(work, 'busybox');
  for (const dir of ['bin', 'etc', 'tmp']) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const applet of (await must('/bin/busybox', ['--list'])).split('\n').filter(Boolean)) {
    if (!existsSync(join(root, 'bin', applet))) symlinkSync('busybox', join(root, 'bin', applet));
  }
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  await importDirectory(root, BUSYBOX_IMAGES, ['ENV PATH=/bin', 'CMD ["sh"]']);
}

/** The pause image: Kubernetes' pause.c (built by build.ts into .cluster/bin), alone in an image. */
async function ensurePause(work: string): Promise<void> {
  if (!(await missing([PAUSE_IMAGE])).length) return;
  const root = join(work, 'pause');
  mkdirSync(root, { recursive: true });
  copyFileSync(join(BIN, 'pause'), join(root, 'pause'));
  await importDirectory(root, [PAUSE_IMAGE], ['ENTRYPOINT ["/pause"]', 'USER 65535:65535']);
}

/** `docker.io/library/busybox:latest` -> `library/busybox:latest`: the path containerd asks the mirror for. */
const repositoryPath = (image: string) => image.slice(image.indexOf('/') + 1);

/** Image id last pushed per image, kept with the registry's storage: an unchanged image is not pushed again. */
const PUSHED = join(REGISTRY_STORAGE, 'pushed.json');

/** Builds what is missing and pushes every served image whose local id differs from the one the registry has. */
export async function ensureImages(): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'cluster-images-'));
  try {
    await ensureBusybox(work);
    await ensurePodmanRuns(BUSYBOX_IMAGES[0]);
    await ensurePause(work);
    await ensureStandIns();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const pushed: Record<string, string> = existsSync(PUSHED) ? JSON.parse(readFileSync(PUSHED, 'utf8')) : {};
  const pushedNow: string[] = [];
  for (const image of SERVED_IMAGES) {
    const id = (await must('podman', ['image', 'inspect', '--format', '{{.Id}}', image])).trim();
    const path = repositoryPath(image);
    const [name, tag] = [path.slice(0, path.lastIndexOf(':')), path.slice(path.lastIndexOf(':') + 1)];
    const served = (await run('curl', ['-sf', '-o', '/dev/null', `http://${REGISTRY_ADDRESS}/v2/${name}/manifests/${tag}`,
      '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json'])).code === 0;
    if (served && pushed[image] === id) continue;
    await must('podman', ['push', '--tls-verify=false', image, `${REGISTRY_ADDRESS}/${path}`], { timeoutMs: 600_000 });
    pushed[image] = id;
    pushedNow.push(image);
  }
  writeFileSync(PUSHED, JSON.stringify(pushed, null, 2) + '\n');
  return pushedNow;
}
