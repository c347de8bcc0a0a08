import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Adapter } from '../patterns/adapter';
import { Ambassador, AmbassadorUpstream } from '../patterns/ambassador';
import { KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { Resources } from '../patterns/resources';
import { RestrictedSecurity } from '../patterns/restricted-security';
import { Sidecar } from '../patterns/sidecar';
import { exampleContainer, sizeOwnStorage } from './example-workload';

/**
 * Examples that run the real upstream images, configured as their upstreams document them:
 * unprivileged nginx with nginx-prometheus-exporter, haproxy as an ambassador to redis shards,
 * redis with redis_exporter, and the native-sidecar orderings of Kubernetes 1.29+.
 * Tags are pinned: `latest` would change what runs under the same manifest.
 */
export const REAL_IMAGES = {
  /** Listens on 8080 as uid 101; its nginx.conf keeps the pid and temp files in /tmp. */
  nginx: 'nginxinc/nginx-unprivileged:1.27-alpine',
  /** Entrypoint /usr/bin/nginx-prometheus-exporter; serves :9113/metrics; 1.x keeps running while nginx is down. */
  nginxExporter: 'nginx/nginx-prometheus-exporter:1.3.0',
  /** Entrypoint docker-entrypoint.sh, config /usr/local/etc/haproxy/haproxy.cfg, user haproxy (uid 99). */
  haproxy: 'haproxy:2.6',
  /** Entrypoint docker-entrypoint.sh (args starting with `-` go to redis-server), workdir /data. */
  redis: 'redis:7.0',
  /** Entrypoint /redis_exporter, user 59000; serves :9121/metrics. */
  redisExporter: 'oliver006/redis_exporter:v1.45.0',
};

/** The uids the upstream images run as, used as runAsUser so the restricted profile holds. */
const UPSTREAM_UID = { nginx: 101, nginxExporter: 1001, haproxy: 99, redis: 999, redisExporter: 59000 };

/** Requests 50m / 32Mi, limits 200m / 128Mi: a small server of the examples (nginx and redis peaked at 3 / 4 MiB). */
const SERVER_RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 200 }, memoryMebibytes: { request: 32, limit: 128 } });
/**
 * Sized from what `npm run test:e2e` measured on its cluster (kubelet summary API, 2026-12-02): haproxy
 * 2.6 peaked at 7 MiB and 15m cpu; the nginx and redis exporters at 4 MiB and 49m (while starting).
 */
const PROXY_RESOURCES = Resources.container({ cpuMillis: { request: 20, limit: 200 }, memoryMebibytes: { request: 16, limit: 64 } });
const EXPORTER_RESOURCES = Resources.container({ cpuMillis: { request: 20, limit: 100 }, memoryMebibytes: { request: 16, limit: 32 } });

const NGINX_PORT = 8080;
const EXPORTER_PORT = 9113;

/** Runs as `uid` (and gid) with every other restricted setting. */
const runAs = (uid: number) => RestrictedSecurity.container({ user: uid, group: uid });

/**
 * nginx's server block: a page on `/` and `stub_status` (the counters the exporter reads),
 * mounted from a ConfigMap over the image's /etc/nginx/conf.d. The image's nginx.conf includes it.
 */
const NGINX_SERVER_CONF = `server {
    listen ${NGINX_PORT};
    location = /stub_status {
        stub_status;
    }
    location / {
        default_type text/plain;
        return 200 "hello from nginx\\n";
    }
}
`;

/**
 * Unprivileged nginx on a read-only root: its server block from a ConfigMap, and /tmp (where the
 * image's nginx.conf puts the pid file and temp paths) an emptyDir.
 */
function nginxContainer(scope: Construct, name: string): kplus.ContainerProps {
  const config = new kplus.ConfigMap(scope, 'NginxConfig', {
    metadata: { name: `${name}-nginx` },
    data: { 'default.conf': NGINX_SERVER_CONF },
  });
  return {
    name: 'nginx',
    image: REAL_IMAGES.nginx,
    ports: [{ number: NGINX_PORT, name: 'http' }],
    // Ready while it serves the page; alive while it accepts connections.
    readiness: kplus.Probe.fromHttpGet('/', { port: NGINX_PORT }),
    liveness: kplus.Probe.fromTcpSocket({ port: NGINX_PORT }),
    resources: SERVER_RESOURCES,
    securityContext: runAs(UPSTREAM_UID.nginx),
    volumeMounts: [
      { path: '/etc/nginx/conf.d', volume: kplus.Volume.fromConfigMap(scope, 'NginxConfigVolume', config, { name: 'nginx-conf' }) },
      { path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, 'NginxTmp', 'nginx-tmp', { sizeLimit: Size.mebibytes(64) }) },
    ],
  };
}

/** nginx-prometheus-exporter as upstream documents it: image and args only, its entrypoint runs. */
function addNginxExporter(scope: Construct, workload: kplus.AbstractPod, app?: kplus.Container): Adapter {
  return new Adapter(scope, 'Exporter', {
    workload,
    app,
    image: REAL_IMAGES.nginxExporter,
    args: [`--nginx.scrape-uri=http://127.0.0.1:${NGINX_PORT}/stub_status`],
    ports: [{ number: EXPORTER_PORT, name: 'metrics' }],
    ...exporterProbes(EXPORTER_PORT),
    resources: EXPORTER_RESOURCES,
    securityContext: runAs(UPSTREAM_UID.nginxExporter),
  });
}

/** Hardened pod-level props shared by the examples' workloads. */
const podProps = (name: string) => ({ metadata: { name }, securityContext: RestrictedSecurity.POD });

/**
 * nginx serving on 8080 with an nginx-prometheus-exporter adapter that turns its `stub_status`
 * into Prometheus metrics on :9113 (classic: both start together; the exporter reports
 * `nginx_up 0` until nginx answers).
 */
export class WebExporterChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const name = 'web-exporter';
    const deployment = new kplus.Deployment(this, 'Deployment', {
      ...podProps(name),
      replicas: 1,
      containers: [nginxContainer(this, name)],
    });
    addNginxExporter(this, deployment);
    sizeOwnStorage(this);
  }
}

/**
 * The same web server in native mode (Kubernetes 1.29+), ordered so each part starts only once the
 * one it needs is ready: nginx is a native sidecar (its startupProbe is a TCP check of 8080), the
 * exporter starts after it (its first scrape succeeds), and the app, a client fetching pages
 * through nginx, starts last, so even its first request is served.
 */
export class NativeWebExporterChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    const name = 'native-web-exporter';
    const client = `i=1\nwhile true; do\necho "request $i: $(wget -q -O - http://127.0.0.1:${NGINX_PORT}/)"\ni=$((i+1))\nsleep 2\ndone`;
    const deployment = new kplus.Deployment(this, 'Deployment', {
      ...podProps(name),
      replicas: 1,
      containers: [exampleContainer('app', client)],
    });
    new Sidecar(this, 'Nginx', { workload: deployment, ...nginxContainer(this, name) });
    addNginxExporter(this, deployment);
    sizeOwnStorage(this);
  }
}

/**
 * haproxy as an ambassador: upstream `i` is reached on localhost:9000+i. Its config comes from a
 * ConfigMap mounted where the image reads it (/usr/local/etc/haproxy/haproxy.cfg). haproxy binds
 * every pod address (not only 127.0.0.1) so a kubelet's TCP startupProbe on the pod IP reaches it.
 */
function addHaproxyAmbassador(scope: Construct, workload: kplus.AbstractPod, upstreams: AmbassadorUpstream[], firstPort = 9000): Ambassador {
  const frontends = upstreams.map(
    (upstream, index) =>
      `frontend ${upstream.name}\n    bind :${firstPort + index}\n    default_backend ${upstream.name}\n` +
      `backend ${upstream.name}\n    server ${upstream.name} ${upstream.host}:${upstream.port}\n`,
  );
  const config = new kplus.ConfigMap(scope, 'HaproxyConfig', {
    metadata: { name: `${workload.metadata.name}-haproxy` },
    data: {
      'haproxy.cfg': [
        'global\n    log stdout format raw local0\n',
        'defaults\n    mode tcp\n    log global\n    option tcplog\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n',
        ...frontends,
      ].join('\n'),
    },
  });
  const ambassador = new Ambassador(scope, 'Haproxy', {
    workload,
    upstreams,
    firstPort,
    // haproxy binds every pod address: ready while its first frontend accepts connections, alive while its last does.
    readiness: kplus.Probe.fromTcpSocket({ port: firstPort }),
    liveness: kplus.Probe.fromTcpSocket({ port: firstPort + upstreams.length - 1 }),
    image: REAL_IMAGES.haproxy,
    resources: PROXY_RESOURCES,
    securityContext: runAs(UPSTREAM_UID.haproxy),
  });
  ambassador.container.mount('/usr/local/etc/haproxy', kplus.Volume.fromConfigMap(scope, 'HaproxyConfigVolume', config, { name: 'haproxy-conf' }), {
    readOnly: true,
  });
  return ambassador;
}

/**
 * A redis server on `port`, as the image runs it: args starting with `-` go to redis-server.
 * `--save ''` keeps it from writing snapshots to the read-only /data of the image.
 */
function redisServer(name: string, port: number): kplus.ContainerProps {
  return {
    name,
    image: REAL_IMAGES.redis,
    args: ['--port', String(port), '--save', ''],
    ports: [{ number: port }],
    ...redisProbes(port),
    resources: SERVER_RESOURCES,
    securityContext: runAs(UPSTREAM_UID.redis),
  };
}

/** Ready while redis answers PING (its documented health check); alive while it accepts connections. */
function redisProbes(port: number): Pick<kplus.ContainerProps, 'readiness' | 'liveness'> {
  return { readiness: kplus.Probe.fromCommand(['redis-cli', '-p', String(port), 'ping']), liveness: kplus.Probe.fromTcpSocket({ port }) };
}

/** Ready while an exporter serves its metrics page; alive while it accepts connections. */
function exporterProbes(port: number): Pick<kplus.ContainerProps, 'readiness' | 'liveness'> {
  return { readiness: kplus.Probe.fromHttpGet('/metrics', { port }), liveness: kplus.Probe.fromTcpSocket({ port }) };
}

/** A container of the redis image running `script` (it has sh and redis-cli). */
function redisClient(script: string): kplus.ContainerProps {
  return { name: 'app', image: REAL_IMAGES.redis, command: ['sh', '-c', script], resources: SERVER_RESOURCES, securityContext: runAs(UPSTREAM_UID.redis) };
}

/**
 * sh that stores a value through the ambassador address in env `<VAR>`, reads it back and
 * prints which redis answered, e.g. `shard-0 via localhost:9000 answered: hello shard-0 from tcp_port:7000`.
 */
function roundTrip(label: string, addressVariable: string): string {
  const cli = `redis-cli -h "\${${addressVariable}%:*}" -p "\${${addressVariable}#*:}"`;
  return [
    `${cli} SET greeting "hello ${label}" >/dev/null`,
    `echo "${label} via $${addressVariable} answered: $(${cli} GET greeting) from $(${cli} INFO server | grep tcp_port | tr -d '\\r')"`,
  ].join('\n');
}

/**
 * An app that talks to two redis shards only through a haproxy ambassador on localhost:9000 and
 * :9001. The shards are redis containers in the same pod; point the upstreams at your Services.
 */
export class HaproxyAmbassadorChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const app = `while true; do\n${roundTrip('shard-0', 'SHARD_0_ADDR')}\n${roundTrip('shard-1', 'SHARD_1_ADDR')}\nsleep 3\ndone`;
    const deployment = new kplus.Deployment(this, 'Deployment', {
      ...podProps('haproxy-ambassador'),
      replicas: 1,
      containers: [redisClient(app), redisServer('shard-0', 7000), redisServer('shard-1', 7001)],
    });
    addHaproxyAmbassador(this, deployment, [
      { name: 'shard-0', host: '127.0.0.1', port: 7000 },
      { name: 'shard-1', host: '127.0.0.1', port: 7001 },
    ]);
    sizeOwnStorage(this);
  }
}

/**
 * redis in a StatefulSet with redis_exporter as a sidecar serving its metrics on :9121.
 * /data is an emptyDir here; give the StatefulSet a volumeClaimTemplate to keep data across restarts.
 */
export class RedisExporterChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const redis: kplus.ContainerProps = {
      name: 'redis',
      image: REAL_IMAGES.redis,
      ports: [{ number: 6379, name: 'redis' }],
      ...redisProbes(6379),
      resources: SERVER_RESOURCES,
      securityContext: runAs(UPSTREAM_UID.redis),
      volumeMounts: [{ path: '/data', volume: kplus.Volume.fromEmptyDir(this, 'Data', 'data', { sizeLimit: Size.mebibytes(64) }) }],
    };
    const statefulSet = new kplus.StatefulSet(this, 'StatefulSet', { ...podProps('redis'), replicas: 1, containers: [redis] });
    new Sidecar(this, 'RedisExporter', {
      workload: statefulSet,
      image: REAL_IMAGES.redisExporter,
      envVariables: { REDIS_ADDR: kplus.EnvValue.fromValue('redis://127.0.0.1:6379') },
      ports: [{ number: 9121, name: 'metrics' }],
      ...exporterProbes(9121),
      resources: EXPORTER_RESOURCES,
      securityContext: runAs(UPSTREAM_UID.redisExporter),
    });
    sizeOwnStorage(this);
  }
}

/**
 * A Job (Kubernetes 1.29+) whose app reaches redis only through a native haproxy sidecar.
 * The kubelet starts the redis stand-in upstream, then haproxy, each once its TCP startupProbe
 * passes, then the app; when the app exits 0 it stops haproxy and redis, so the Job completes.
 */
export class NativeProxyJobChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    const job = new kplus.Job(this, 'Job', {
      ...podProps('proxy-job'),
      containers: [redisClient(`${roundTrip('cache', 'CACHE_ADDR')}\necho "job done"`)],
    });
    // The user's own startup probe, as redis documents its health check, replaces the generated tcp one.
    const answersPing = kplus.Probe.fromCommand(['redis-cli', '-p', '7000', 'ping'], { periodSeconds: Duration.seconds(1), failureThreshold: 30 });
    new Sidecar(this, 'Cache', { workload: job, ...redisServer('cache', 7000), startup: answersPing });
    addHaproxyAmbassador(this, job, [{ name: 'cache', host: '127.0.0.1', port: 7000 }]);
    sizeOwnStorage(this);
  }
}
