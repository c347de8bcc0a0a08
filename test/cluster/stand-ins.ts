// Local stand-ins for the upstream images the examples name: no registry can be reached here, so
// each is built from Debian bookworm's package of the same software, with the upstream image's
// entrypoint, default command, user and working directory, and tagged with the upstream name.
// One root filesystem (mmdebstrap) holds every package; each image is a `podman import` of it,
// pushed to the cluster's registry under the upstream name (images.ts).
// To run an example with a new image: add its package to STAND_IN_PACKAGES, any file the upstream
// image has that the package lacks to ROOTFS_FILES / ROOTFS_LINKS, and a row to STAND_INS.
import { createHash } from 'crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run } from './processes';

/** Debian packages in the shared root filesystem (bookworm: the versions differ from upstream's tags). */
export const STAND_IN_PACKAGES = ['nginx-light', 'prometheus-nginx-exporter', 'haproxy', 'redis-server', 'prometheus-redis-exporter'];

/** Files of the upstream images that Debian's packages lack: path in the image -> content (made executable if it starts with #!). */
export const ROOTFS_FILES: Record<string, string> = {
  // nginx-unprivileged's entrypoint runs /docker-entrypoint.d/*.sh (none here) and then its arguments.
  '/docker-entrypoint.sh': '#!/bin/sh\nexec "$@"\n',
  // nginx-unprivileged's nginx.conf: pid and temp files in /tmp, so a non-root nginx needs no other writable path.
  '/etc/nginx/nginx.conf': `worker_processes auto;
error_log /var/log/nginx/error.log notice;
pid /tmp/nginx.pid;
events {
    worker_connections 1024;
}
http {
    proxy_temp_path /tmp/proxy_temp;
    client_body_temp_path /tmp/client_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /var/log/nginx/access.log;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
`,
  // Upstream 1.x keeps running while nginx is down (nginx_up 0); Debian's 0.11 exits unless told to retry.
  '/usr/bin/nginx-prometheus-exporter': '#!/bin/sh\nexec /usr/bin/prometheus-nginx-exporter -nginx.retries=100000 -nginx.retry-interval=1s "$@"\n',
  // The entrypoints of the official haproxy and redis images (both are docker-entrypoint.sh upstream).
  '/usr/local/bin/haproxy-entrypoint.sh': `#!/bin/sh
set -e
if [ "\${1#-}" != "$1" ]; then set -- haproxy "$@"; fi
if [ "$1" = haproxy ]; then shift; set -- haproxy -W -db "$@"; fi
exec "$@"
`,
  '/usr/local/bin/redis-entrypoint.sh': `#!/bin/sh
set -e
if [ "\${1#-}" != "$1" ] || [ "\${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"; fi
[ "$(umask)" != 0022 ] || umask 0077
exec "$@"
`,
};

/** Symlinks: path in the image -> target. */
export const ROOTFS_LINKS: Record<string, string> = {
  '/var/log/nginx/access.log': '/dev/stdout',
  '/var/log/nginx/error.log': '/dev/stderr',
  '/redis_exporter': '/usr/bin/prometheus-redis-exporter',
};

/** Directories the upstream images have (mode 0755). */
export const ROOTFS_DIRS = ['/data', '/var/log/nginx', '/usr/local/etc/haproxy'];

export interface StandIn {
  /** The upstream image, fully qualified, as containerd resolves the short names the manifests use. */
  readonly image: string;
  /** Debian's version of the software, to compare with the tag. */
  readonly debianVersion: string;
  readonly entrypoint: string[];
  readonly cmd?: string[];
  /** The upstream image's USER (numeric: no passwd entry needed). */
  readonly user?: string;
  readonly workdir?: string;
}

/** One row per upstream image (checked against each upstream Dockerfile; see the table in docs/e2e.md). */
export const STAND_INS: StandIn[] = [
  {
    image: 'docker.io/nginxinc/nginx-unprivileged:1.27-alpine',
    debianVersion: 'nginx-light 1.22.1',
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    user: '101',
  },
  {
    image: 'docker.io/nginx/nginx-prometheus-exporter:1.3.0',
    debianVersion: 'prometheus-nginx-exporter 0.11.0',
    entrypoint: ['/usr/bin/nginx-prometheus-exporter'],
    user: '1001:1001',
  },
  {
    image: 'docker.io/library/haproxy:2.6',
    debianVersion: 'haproxy 2.6.12',
    entrypoint: ['/usr/local/bin/haproxy-entrypoint.sh'],
    cmd: ['haproxy', '-f', '/usr/local/etc/haproxy/haproxy.cfg'],
    user: '99',
    workdir: '/var/lib/haproxy',
  },
  {
    image: 'docker.io/library/redis:7.0',
    debianVersion: 'redis-server 7.0.15',
    entrypoint: ['/usr/local/bin/redis-entrypoint.sh'],
    cmd: ['redis-server'],
    workdir: '/data',
  },
  {
    image: 'docker.io/oliver006/redis_exporter:v1.45.0',
    debianVersion: 'prometheus-redis-exporter 1.45.0',
    entrypoint: ['/redis_exporter'],
    user: '59000:59000',
  },
];

/** `haproxy:2.6` -> `docker.io/library/haproxy:2.6`, as containerd resolves short names. */
export function qualifiedImage(image: string): string {
  const tagged = /:[\w][\w.-]*$/.test(image.slice(image.lastIndexOf('/') + 1)) ? image : `${image}:latest`;
  const first = tagged.split('/')[0];
  if (tagged.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return tagged;
  return tagged.includes('/') ? `docker.io/${tagged}` : `docker.io/library/${tagged}`;
}

/** The `podman import --change` options that give the root filesystem an upstream image's settings. */
function importChanges(standIn: StandIn): string[] {
  return [
    // "INSTRUCTION value": podman splits at the first space, so `CMD=[... "daemon off;"]` breaks.
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `ENTRYPOINT ${JSON.stringify(standIn.entrypoint)}`,
    ...(standIn.cmd ? [`CMD ${JSON.stringify(standIn.cmd)}`] : []),
    ...(standIn.user ? [`USER ${standIn.user}`] : []),
    `WORKDIR ${standIn.workdir ?? '/'}`,
  ];
}

/** sh run by mmdebstrap's customize hook with the root filesystem's path as $1. */
function customizeScript(): string {
  const lines = ['set -e', 'root=$1'];
  for (const dir of ROOTFS_DIRS) lines.push(`mkdir -p "$root${dir}"`, `chmod 0755 "$root${dir}"`);
  for (const [path, content] of Object.entries(ROOTFS_FILES)) {
    const encoded = Buffer.from(content).toString('base64');
    lines.push(`mkdir -p "$(dirname "$root${path}")"`, `rm -f "$root${path}"`, `echo ${encoded} | base64 -d > "$root${path}"`);
    lines.push(`chmod ${content.startsWith('#!') ? '0755' : '0644'} "$root${path}"`);
  }
  for (const [path, target] of Object.entries(ROOTFS_LINKS)) {
    lines.push(`mkdir -p "$(dirname "$root${path}")"`, `ln -sfn ${target} "$root${path}"`);
  }
  return lines.join('\n') + '\n';
}

const rootfsHash = () => createHash('sha256').update(JSON.stringify([STAND_IN_PACKAGES, customizeScript()])).digest('hex').slice(0, 16);
/** Label on each stand-in: the hash of what it is built from, so a changed definition rebuilds it. */
const HASH_LABEL = 'e2e.stand-in.hash';
const imageHash = (standIn: StandIn) =>
  createHash('sha256').update(JSON.stringify([rootfsHash(), importChanges(standIn)])).digest('hex').slice(0, 16);

const SOURCES = '/etc/apt/sources.list.d/debian.sources';

/**
 * Builds the stand-ins (in podman's storage) whose label hash is not current.
 * Throws with mmdebstrap's last lines when the root filesystem cannot be built.
 */
export async function ensureStandIns(): Promise<void> {
  const stale: StandIn[] = [];
  for (const standIn of STAND_INS) {
    const r = await run('podman', ['image', 'inspect', '--format', `{{index .Labels "${HASH_LABEL}"}}`, standIn.image]);
    if (r.code !== 0 || r.stdout.trim() !== imageHash(standIn)) stale.push(standIn);
  }
  // The root filesystem is the slow part and serves them all: once built, import every stale one.
  if (!stale.length) return;
  if (!existsSync(SOURCES)) {
    throw new Error(`stand-in images: ${SOURCES} is missing; mmdebstrap needs Debian's deb822 sources file to build ${stale.map((s) => s.image).join(', ')}.`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'e2e-stand-ins-'));
  try {
    const started = Date.now();
    writeFileSync(join(dir, 'customize.sh'), customizeScript());
    const tar = join(dir, 'rootfs.tar');
    console.log(`building stand-in images from Debian packages (${STAND_IN_PACKAGES.join(', ')}) for ${stale.map((s) => s.image).join(', ')}`);
    const built = await run('mmdebstrap', [
      '--variant=apt', `--include=${STAND_IN_PACKAGES.join(',')}`,
      `--customize-hook=sh ${join(dir, 'customize.sh')} "$1"`,
      'bookworm', tar, SOURCES,
    ], { timeoutMs: 600_000 });
    if (built.code !== 0) {
      const last = `${built.stdout}\n${built.stderr}`.trim().split('\n').slice(-15).map((l) => `  | ${l}`).join('\n');
      throw new Error(`stand-in images: mmdebstrap failed (exit code ${built.code}) building the root filesystem with ${STAND_IN_PACKAGES.join(', ')} (STAND_IN_PACKAGES in test/e2e/stand-ins.ts); its last lines:\n${last}`);
    }
    for (const standIn of stale) {
      const changes = [...importChanges(standIn), `LABEL ${HASH_LABEL}=${imageHash(standIn)}`].flatMap((c) => ['--change', c]);
      const imported = await run('podman', ['import', ...changes, tar, standIn.image], { timeoutMs: 300_000 });
      if (imported.code !== 0) throw new Error(`stand-in images: podman import of ${standIn.image} failed: ${imported.stderr.trim()}`);
    }
    console.log(`stand-in images built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
