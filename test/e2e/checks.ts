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
  /**
   * Pages a container serves (e.g. Prometheus metrics), fetched from inside its pod, each time before
   * the logs are read: a log may show those requests.
   */
  pages?: PageExpectation[];
  /** How long to wait for those lines once the workload reached its condition (default 60 s). */
  timeoutSeconds?: number;
}

/** `GET http://127.0.0.1:<port><path>` inside the pod of `container` must have lines matching `patterns`, in order. */
export interface PageExpectation {
  container: string;
  port: number;
  path: string;
  patterns: Pattern[];
}

// Besides these lines, the e2e checks every workload reaches its condition (Available, rolled out,
// Complete) and reads the start and stop order of native sidecars from the pods' status (order.ts).

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

/**
 * nginx's combined access-log line for a page fetched with busybox wget from inside the pod (from
 * 127.0.0.1, user agent `Wget`; the kubelet's readiness probes come from the node, as `kube-probe`).
 */
const WGET_ACCESS_LINE = String.raw`127\.0\.0\.1 - - \[[^\]]+\] "GET / HTTP/1\.1" 200 \d+ "-" "Wget"`;
/** The same request as the include example's adapter prints it. */
const WGET_ACCESS_JSON = new RegExp(String.raw`^\{"time":"[^"]+","remote":"127\.0\.0\.1","request":"GET / HTTP/1\.1","status":200,"bytes":\d+,"referer":"-","agent":"Wget"\}$`);
/**
 * nginx's page, fetched from inside the pod by the log shipper's busybox wget (the containers share
 * the pod's network): the request its shipper must then show from nginx's access log.
 */
const nginxPage = (answer: string): PageExpectation => ({ container: 'log-shipper', port: 8080, path: '/', patterns: [answer] });

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
    // order.ts also checks the app exited 0 and haproxy and redis stopped after it, in reverse order.
    logs: { app: [redisAnswer('cache', 9000, 7000), 'job done'], haproxy: [servedFromLocalhost('cache')] },
  },
  'include-example.k8s.yaml': {
    // The upstream manifest's nginx serves; the native shipper and adapter, started before it, follow its access log.
    logs: { 'log-shipper': [new RegExp(String.raw`^\[shipped\] ${WGET_ACCESS_LINE}$`)], 'log-normalizer': [WGET_ACCESS_JSON] },
    pages: [nginxPage('hello from nginx')],
  },
  'helm-example.k8s.yaml': {
    // The Helm chart's nginx serves the greeting its values set; the shipper the selector attached follows its access log.
    logs: { 'log-shipper': [new RegExp(String.raw`^\[shipped\] ${WGET_ACCESS_LINE}$`)] },
    pages: [nginxPage('hello from the shop, rendered by helm')],
  },
  'env-file-example.k8s.yaml': {
    // GREETING comes from the env file the init step wrote (fileKeyRef); the file from the image volume.
    logs: { app: ['greeting from the env file: hello from render-env', /^from the image: root:x:0:0:/] },
  },
  'restart-rules-job.k8s.yaml': {
    // The app exited 42, the restart rule restarted it (restarts.ts reads the counts), then it finished.
    logs: { app: ['attempt 2: done'], heartbeat: ['heartbeat'] },
  },
  'restart-all-example.k8s.yaml': {
    // The helper exited once; every container restarted in place, the app counting its starts.
    logs: { app: ['app start number 2'], link: ['up again, staying up'] },
    timeoutSeconds: 120,
  },
  'combined-example.k8s.yaml': {
    logs: {
      'app': [HANDOFF_GREETING, SHARD_0],
      'log-shipper': [SHIPPED_WARN],
      'log-normalizer': [JSON_WARN],
    },
  },
};
