// What each manifest must do when played. Adding an example to dist/ means adding one entry here:
// the harness fails any dist/ file without one, so no example is skipped silently.

/** A log line must contain the string, or match the RegExp. */
export type Pattern = string | RegExp;

export interface Expectation {
  /**
   * Container name -> patterns its log (stdout and stderr) must match, in this order: each one on a
   * line after the line that matched the one before.
   */
  logs: Record<string, Pattern[]>;
  /** Container name -> patterns no line of its log may match (checked once the expected lines are there). */
  notInLogs?: Record<string, Pattern[]>;
  /** Pages a container serves (e.g. Prometheus metrics), fetched from inside its pod. */
  pages?: PageExpectation[];
  /** How long to wait for those lines (default 30 s). */
  timeoutSeconds?: number;
}

/** `GET http://127.0.0.1:<port><path>` inside the pod of `container` must have lines matching `patterns`, in order. */
export interface PageExpectation {
  container: string;
  port: number;
  path: string;
  patterns: Pattern[];
}

// Besides these lines, the harness checks every file for: no container exiting non-zero, and every
// init container exiting 0 before the next init container and the app containers start. Pods with
// native sidecars are played in the kubelet's order (kubelet.ts), which it asserts from the recorded
// times: each sidecar ready (startupProbe) before the next container starts, and in pods that run to
// completion, the app exiting 0 and the sidecars stopping after it in reverse order.

const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`;
const RAW_WARN = `${TIME} WARN disk almost full`;
const SHIPPED_WARN = new RegExp(String.raw`^\[shipped\] ${RAW_WARN}$`);
const JSON_WARN = new RegExp(String.raw`^\{"time":"${TIME}","level":"warn","message":"disk almost full"\}$`);
const HANDOFF_GREETING = 'handoff: greeting=hello from write-config';
const SHARD_0 = 'shard-0 answered: hello from shard-0';

/**
 * nginx-prometheus-exporter's metrics carry nginx's real counters: at least one active connection
 * (the exporter's own request, counted by nginx when it answers stub_status) and served requests.
 */
const NGINX_METRICS: PageExpectation = {
  container: 'exporter', port: 9113, path: '/metrics',
  patterns: [/^nginx_connections_active [1-9]\d*$/, /^nginx_http_requests_total [1-9]\d*$/, /^nginx_up 1$/],
};
/**
 * haproxy's tcplog line for a connection from localhost (the app; a kubelet's TCP probe comes from
 * the pod IP) that it forwarded through frontend, backend and server `name`: the proxy served the app.
 */
const servedFromLocalhost = (name: string) => new RegExp(String.raw`^127\.0\.0\.1:\d+ \[[^\]]+\] ${name} ${name}/${name} `);
/** What the app logs when a redis shard answered through the haproxy ambassador. */
const redisAnswer = (label: string, localPort: number, redisPort: number) =>
  `${label} via localhost:${localPort} answered: hello ${label} from tcp_port:${redisPort}`;

export const EXAMPLES: Record<string, Expectation> = {
  'demo.k8s.yaml': {
    logs: { 'demoapp-container': ['Running the main application...', 'Main application complete.'] },
  },
  'init-example.k8s.yaml': {
    logs: { app: [HANDOFF_GREETING, 'handoff: registered-by=register'] },
  },
  'sidecar-example.k8s.yaml': {
    logs: { 'log-shipper': ['[shipped] app log line 1'] },
  },
  'ambassador-example.k8s.yaml': {
    logs: { app: [SHARD_0, 'shard-1 answered: hello from shard-1'] },
  },
  'adapter-example.k8s.yaml': {
    logs: { 'log-normalizer': [JSON_WARN] },
  },
  'job-example.k8s.yaml': {
    logs: { 'app': ['batch done'], 'log-shipper': ['[shipped] batch line 1', '[shipped] batch line 3'] },
  },
  'cronjob-example.k8s.yaml': {
    logs: { 'app': [HANDOFF_GREETING, 'batch done'], 'log-shipper': ['[shipped] batch line 3'] },
  },
  'lifecycle-example.k8s.yaml': {
    logs: { 'app': ['batch done'], 'log-shipper': ['[shipped] batch line 1', '[shipped] batch line 3'] },
  },
  'secrets-example.k8s.yaml': {
    logs: { app: ['secret loaded: 16 bytes from /etc/secrets', 'secrets are read-only for the app'] },
  },
  'native-ambassador-example.k8s.yaml': {
    logs: { app: [SHARD_0] },
  },
  'daemonset-example.k8s.yaml': {
    logs: { 'log-shipper': ['[shipped] node log line 1'] },
  },
  'statefulset-example.k8s.yaml': {
    logs: { app: [/^scraped: app_requests \d+ app_active_connections 2 $/] },
  },
  'real-web-exporter.k8s.yaml': {
    logs: {},
    pages: [NGINX_METRICS],
  },
  'real-native-web-exporter.k8s.yaml': {
    // nginx passed its startupProbe before the app started: even the first request is served.
    logs: { app: ['request 1: hello from nginx'] },
    // It started after nginx's startupProbe passed, so its first try to reach nginx succeeded.
    notInLogs: { exporter: ['Could not create Nginx Client'] },
    pages: [NGINX_METRICS],
  },
  'real-haproxy-ambassador.k8s.yaml': {
    logs: { app: [redisAnswer('shard-0', 9000, 7000), redisAnswer('shard-1', 9001, 7001)], haproxy: [servedFromLocalhost('shard-0'), servedFromLocalhost('shard-1')] },
  },
  'real-redis-exporter.k8s.yaml': {
    logs: {},
    pages: [{ container: 'redis-exporter', port: 9121, path: '/metrics', patterns: [/^redis_up 1$/] }],
  },
  'real-native-proxy-job.k8s.yaml': {
    // The kubelet player also checks the app exited 0 and haproxy and redis stopped after it, in reverse order.
    logs: { app: [redisAnswer('cache', 9000, 7000), 'job done'], haproxy: [servedFromLocalhost('cache')] },
  },
  'combined-example.k8s.yaml': {
    logs: {
      'app': [HANDOFF_GREETING, SHARD_0],
      'log-shipper': [SHIPPED_WARN],
      'log-normalizer': [JSON_WARN],
    },
  },
};

/** Broken manifests in fixtures/: the harness must fail them, and its report must say this. */
export const FIXTURES: Record<string, Expectation & { mustReport: Pattern[] }> = {
  'broken-init.k8s.yaml': {
    logs: { app: ['app started'] },
    mustReport: ['container fail-init', 'exit code 1', 'config file missing, giving up'],
  },
  'wrong-path-sidecar.k8s.yaml': {
    logs: { 'log-shipper': ['[shipped] app log line 1'] },
    timeoutSeconds: 8, // it never comes: no need to wait long
    mustReport: ['container log-shipper', "can't open '/var/log/app/wrong.log'"],
  },
  'native-sidecar-no-listener.k8s.yaml': {
    logs: { app: ['app started'] },
    mustReport: ['container proxy', 'startupProbe never passed', '"tcpSocket":{"port":7777}', 'listening on 7000'],
  },
  'exporter-first.k8s.yaml': {
    logs: { app: ['request 1: hello from nginx'] },
    notInLogs: { exporter: ['Could not create Nginx Client'] },
    mustReport: ['container exporter', 'must not appear', 'Could not create Nginx Client', 'sidecar exporter'],
  },
  'runs-as-root.k8s.yaml': {
    logs: {},
    mustReport: ['container redis', 'CreateContainerConfigError', 'image will run as root'],
  },
  'exporter-wrong-port.k8s.yaml': {
    logs: {},
    pages: [NGINX_METRICS],
    timeoutSeconds: 8,
    mustReport: ['container exporter', 'GET http://127.0.0.1:9113/metrics', 'Connection refused', 'Could not create Nginx Client'],
  },
};
