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
  /** How long to wait for those lines (default 30 s). */
  timeoutSeconds?: number;
}

// Besides these lines, the harness checks every file for: no container exiting non-zero, and every
// init container exiting 0 before the next init container and the app containers start.

const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`;
const RAW_WARN = `${TIME} WARN disk almost full`;
const SHIPPED_WARN = new RegExp(String.raw`^\[shipped\] ${RAW_WARN}$`);
const JSON_WARN = new RegExp(String.raw`^\{"time":"${TIME}","level":"warn","message":"disk almost full"\}$`);
const HANDOFF_GREETING = 'handoff: greeting=hello from write-config';
const SHARD_0 = 'shard-0 answered: hello from shard-0';

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
};
