import * as path from 'path';
import * as kplus from 'cdk8s-plus-27';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HelperProps } from './attachment';
import { containerNameFromId, containerProps } from './container-options';
import { ContainerRole, PodComposition } from './pod-composition';
import { containerResources } from './resources';

/** Requests 50m / 32Mi, limits 100m / 64Mi: a line-by-line awk filter. */
export const ADAPTER_RESOURCES = containerResources(50, 100, 32, 64);

/**
 * awk program turning `<time> <LEVEL> <message>` lines into JSON lines
 * `{"time":…,"level":"<level>","message":…}`; fflush so each line is shipped as it comes.
 */
export const LOG_LINE_TO_JSON = [
  '{ message = $0; sub(/^[^ ]+ +[^ ]+ */, "", message);',
  'gsub(/\\\\/, "\\\\\\\\", message); gsub(/"/, "\\\\\\"", message);',
  'printf "{\\"time\\":\\"%s\\",\\"level\\":\\"%s\\",\\"message\\":\\"%s\\"}\\n", $1, tolower($2), message; fflush() }',
].join(' ');

/** awk program turning `name: value` stats lines into Prometheus text lines `app_name value`. */
export const STATS_TO_PROMETHEUS = [
  '/^[A-Za-z_][A-Za-z0-9_ .-]*: *[-0-9.eE+]+ *$/ {',
  'split($0, field, ":"); name = tolower(field[1]); gsub(/[^a-z0-9_]/, "_", name);',
  'value = field[2]; gsub(/ /, "", value); print "app_" name " " value }',
].join(' ');

enum SourceKind {
  LOG_FILE,
  STATS_ENDPOINT,
}

/** Where the adapter reads the app's output. */
export class AdapterSource {
  /**
   * A log file the app writes; its directory is shared with the app through an emptyDir.
   * The adapter prints the normalized lines to its own stdout (`kubectl logs -c <adapter>`).
   */
  public static logFile(filePath: string): AdapterSource {
    return new AdapterSource(SourceKind.LOG_FILE, filePath, 0);
  }

  /**
   * An HTTP endpoint on the app's localhost port serving `name: value` lines.
   * The adapter polls it and serves the metrics at `http://<pod>:<metricsPort>/metrics`.
   */
  public static statsEndpoint(port: number, urlPath = '/'): AdapterSource {
    return new AdapterSource(SourceKind.STATS_ENDPOINT, urlPath, port);
  }

  private constructor(
    /** @internal */ public readonly _kind: SourceKind,
    /** @internal */ public readonly _path: string,
    /** @internal */ public readonly _port: number,
  ) {}
}

export interface AdapterProps extends HelperProps {
  /** Where the app's output is read. */
  readonly source: AdapterSource;

  /**
   * awk program applied to every line read.
   * @default - LOG_LINE_TO_JSON for a log file, STATS_TO_PROMETHEUS for a stats endpoint
   */
  readonly transform?: string;

  /**
   * Port the metrics are served on (stats endpoint sources only).
   * @default 9100
   */
  readonly metricsPort?: number;

  /**
   * Name of the metrics port, unique in the pod (give each stats adapter its own).
   * @default 'metrics'
   */
  readonly metricsPortName?: string;

  /**
   * How often a stats endpoint is polled.
   * @default Duration.seconds(15)
   */
  readonly pollInterval?: Duration;
}

/**
 * Reads what the app emits and re-exposes it in a standard form, so the app need not change:
 * log lines to JSON lines, or `name: value` stats to Prometheus metrics on a port.
 */
export class Adapter extends Construct {
  /** The adapter's container. */
  public readonly container: kplus.Container;
  /** The app container whose output is adapted. */
  public readonly app: kplus.Container;

  constructor(scope: Construct, id: string, props: AdapterProps) {
    super(scope, id);
    const { workload, app, mode, source, transform, metricsPort = 9100, metricsPortName = 'metrics', pollInterval, ...options } = props;
    if (!(source instanceof AdapterSource)) {
      throw new Error(
        `${this.node.path}: source is ${String(source)}. Give AdapterSource.logFile(path) or AdapterSource.statsEndpoint(port, path).`,
      );
    }
    const composition = PodComposition.of(workload);
    this.app = composition.appContainer(this.node.path, app);
    const name = options.name ?? containerNameFromId(id);
    const defaults = { name, resources: ADAPTER_RESOURCES };

    if (source._kind === SourceKind.LOG_FILE) {
      const script = `tail -F -n +1 ${shellQuote(source._path)} | awk ${shellQuote(transform ?? LOG_LINE_TO_JSON)}`;
      this.container = composition.addPatternContainer(
        this,
        ContainerRole.ADAPTER,
        containerProps(options, { ...defaults, command: ['sh', '-c', script] }),
        mode,
      );
      const directory = path.posix.dirname(source._path);
      composition.shareDirectory(this.app, directory);
      composition.shareDirectory(this.container, directory, { readOnly: true });
      return;
    }

    const publishDir = '/srv/adapter';
    const seconds = (pollInterval ?? Duration.seconds(15)).toSeconds();
    const script = [
      `httpd -f -p ${metricsPort} -h ${publishDir} &`,
      'while true; do',
      `  wget -q -O - ${shellQuote(`http://127.0.0.1:${source._port}${source._path}`)} | awk ${shellQuote(transform ?? STATS_TO_PROMETHEUS)} > ${publishDir}/metrics.tmp`,
      `  mv ${publishDir}/metrics.tmp ${publishDir}/metrics`,
      `  sleep ${seconds}`,
      'done',
    ].join('\n');
    this.container = composition.addPatternContainer(
      this,
      ContainerRole.ADAPTER,
      containerProps(
        { ports: [{ number: metricsPort, name: metricsPortName }], ...options },
        { ...defaults, command: ['sh', '-c', script] },
      ),
      mode,
    );
    this.container.mount(publishDir, kplus.Volume.fromEmptyDir(this, 'Published', `${name}-published`));
  }
}

/** Single-quotes a word for sh, so paths and awk programs reach the command as written. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
