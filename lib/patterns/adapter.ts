import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Interned } from '../kubernetes/interned';
import { addRestartRules, attach, checkPropKinds, helperOptions, HelperProps, wholeSeconds } from './attachment';
import { checkContainerOptions, checkPort, ContainerDefaults, containerProps } from './container-defaults';
import { DefaultImage } from './default-image';
import { Resources } from './resources';
import { ContainerRole } from '../pod/pattern-containers';
import { exitOnTerm, runUntilTerm, shellQuote } from './shell';
import { checkSharedPath, describeValue } from '../kubernetes/values';

/** What an adapter's source needs from the adapter when it binds. */
export interface AdapterSourceBindOptions {
  /** awk program applied to every line read. @default - the source's own */
  readonly transform?: string;
  /** Port the metrics are served on. */
  readonly metricsPort: number;
  /** Name of the metrics port. */
  readonly metricsPortName: string;
  /** How often a polled source is read, in seconds. */
  readonly pollSeconds: number;
  /**
   * Paths the app's mounts show to be directories: where its volumes and shared directories are
   * mounted, and their parents.
   * @default - none known
   */
  readonly appDirectories?: string[];
}

/** What a source adds to the adapter's container: its busybox script, ports and directories. */
export interface AdapterSourceConfig {
  /** The busybox script, run when the adapter keeps the default image. */
  readonly command: string[];
  /** Ports the adapter listens on. @default - none */
  readonly ports?: kplus.ContainerPort[];
  /**
   * A directory of the app that the adapter reads: shared through an emptyDir, read-only in the adapter.
   * @default - none
   */
  readonly appDirectory?: string;
  /**
   * The log file the adapter follows, if it follows one: checked at synth to be in a directory with a size limit.
   * @default - none
   */
  readonly followedFile?: string;
  /**
   * How the kubelet tells the default script serves, as its readiness probe (unless the adapter is given its own).
   * @default - none
   */
  readonly readiness?: kplus.Probe;
  /**
   * How the kubelet tells the default script is alive, as its liveness probe (unless the adapter is given its own).
   * @default - none
   */
  readonly liveness?: kplus.Probe;
  /**
   * A directory the busybox script writes to: an emptyDir of the adapter's own, mounted only when the script runs.
   * @default - none
   */
  readonly scriptDirectory?: string;
}

/**
 * Where the default busybox adapter reads the app's output. An adapter running an image of its
 * own (an exporter that scrapes the app) needs none.
 */
export abstract class AdapterSource {
  /**
   * A log file the app writes; its directory is shared with the app through an emptyDir.
   * The adapter prints the normalized lines to its own stdout (`kubectl logs -c <adapter>`).
   */
  public static logFile(filePath: string): AdapterSource {
    return new LogFileSource(filePath);
  }

  /**
   * An HTTP endpoint on the app's localhost port serving `name: value` lines.
   * The adapter polls it and serves the metrics at `http://<pod>:<metricsPort>/metrics`.
   */
  public static statsEndpoint(port: number, urlPath = '/'): AdapterSource {
    return new StatsEndpointSource(port, urlPath);
  }

  /** Checks the source against the adapter that uses it and returns what it adds to the container. */
  public abstract bind(adapter: Adapter, options: AdapterSourceBindOptions): AdapterSourceConfig;
}

class LogFileSource extends AdapterSource {
  constructor(private readonly filePath: string) {
    super();
  }

  public bind(adapter: Adapter, options: AdapterSourceBindOptions): AdapterSourceConfig {
    const where = adapter.node.path;
    if (typeof this.filePath === 'string' && this.filePath.endsWith('/')) {
      throw new Error(
        `${where}: log file '${this.filePath}' ends in '/', so it names a directory, which tail cannot follow. ` +
          "Give the file the app writes, e.g. '/var/log/app/app.log'.",
      );
    }
    const file = checkSharedPath(adapter, 'log file', this.filePath);
    if (options.appDirectories?.includes(file)) {
      throw new Error(
        `${where}: log file '${file}' is a directory in the app (the app mounts a volume or shared directory there or below it), which tail cannot follow. ` +
          `Give the file the app writes in it, e.g. '${file}/app.log'.`,
      );
    }
    const directory = path.posix.dirname(file);
    if (directory === '/') {
      throw new Error(
        `${where}: log file '${this.filePath}' is at the root: sharing its directory would mount an emptyDir over '/'. ` +
          "Put the log in a directory of its own, e.g. '/var/log/app/app.log'.",
      );
    }
    return {
      command: ['sh', '-c', tailScript(file, options.transform ?? Adapter.LOG_LINE_TO_JSON)],
      appDirectory: directory,
      followedFile: file,
      // Ready while both halves of the pipe run (tail -F waits for a file yet to come); alive while tail does.
      readiness: kplus.Probe.fromCommand(['sh', '-c', 'pidof tail && pidof awk']),
      liveness: kplus.Probe.fromCommand(['pidof', 'tail']),
    };
  }
}

class StatsEndpointSource extends AdapterSource {
  constructor(
    private readonly port: number,
    private readonly urlPath: string,
  ) {
    super();
  }

  public bind(adapter: Adapter, options: AdapterSourceBindOptions): AdapterSourceConfig {
    const where = adapter.node.path;
    checkPort(where, 'stats endpoint port', this.port);
    if (typeof this.urlPath !== 'string' || !this.urlPath.startsWith('/')) {
      throw new Error(`${where}: stats endpoint path ${describeValue(this.urlPath)} does not start with '/'. Give e.g. '/stats'.`);
    }
    const publishDir = '/srv/adapter';
    const script = exitOnTerm([
      `httpd -f -p ${options.metricsPort} -h ${publishDir} &`,
      'while true; do',
      `  wget -q -O - ${shellQuote(`http://127.0.0.1:${this.port}${this.urlPath}`)} | awk ${shellQuote(options.transform ?? Adapter.STATS_TO_PROMETHEUS)} > ${publishDir}/metrics.tmp`,
      `  mv ${publishDir}/metrics.tmp ${publishDir}/metrics`,
      `  sleep ${options.pollSeconds} & wait $!`,
      'done',
    ].join('\n'));
    return {
      command: ['sh', '-c', script],
      ports: [{ number: options.metricsPort, name: options.metricsPortName }],
      scriptDirectory: publishDir,
      // Ready while httpd serves the metrics (on every pod address); alive while it runs.
      readiness: kplus.Probe.fromTcpSocket({ port: options.metricsPort }),
      liveness: kplus.Probe.fromCommand(['pidof', 'httpd']),
    };
  }
}

export interface AdapterProps extends HelperProps {
  /**
   * Where the default busybox adapter reads the app's output. Required on the default image;
   * with your own `image` (an exporter) it is optional and adds its shared directory or port.
   * @default - none: your image reads the app itself
   */
  readonly source?: AdapterSource;

  /**
   * awk program applied to every line read (default image only).
   * @default - Adapter.LOG_LINE_TO_JSON for a log file, Adapter.STATS_TO_PROMETHEUS for a stats endpoint
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
 * on the default image, log lines to JSON lines or `name: value` stats to Prometheus metrics on a
 * port; with your own `image` (a Prometheus exporter), the image's entrypoint with your `args`.
 */
export class Adapter extends Construct {
  /** Requests 50m / 32Mi, limits 100m / 64Mi: a line-by-line awk filter. */
  public static readonly DEFAULT_RESOURCES = Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } });

  /**
   * awk program turning `<time> <LEVEL> <message>` lines into JSON lines
   * `{"time":…,"level":"<level>","message":…}`; fflush so each line is shipped as it comes. A line of
   * another shape is kept whole as the message. Every line printed is valid JSON (RFC 8259) whatever
   * the input: quotes, backslashes and control characters are escaped, valid UTF-8 is kept as it is,
   * and each invalid byte sequence becomes U+FFFD (as a UTF-8 decoder reads it). Bytes are looked up
   * in a table rather than matched by regular expressions, so the locale does not matter.
   */
  public static readonly LOG_LINE_TO_JSON = [
    String.raw`function json(s,  out, i, n, c, o, k, need, lo, hi, b) { out = ""; n = length(s);`,
    String.raw`for (i = 1; i <= n; i++) { c = substr(s, i, 1); o = ord[c];`,
    String.raw`if (o < 32) out = out sprintf("\\u%04x", o); else if (c == "\"" || c == "\\") out = out "\\" c; else if (o < 128) out = out c;`,
    String.raw`else { need = 0; lo = 128; hi = 191;`,
    String.raw`if (o >= 194 && o <= 223) need = 1;`,
    String.raw`else if (o >= 224 && o <= 239) { need = 2; if (o == 224) lo = 160; if (o == 237) hi = 159 }`,
    String.raw`else if (o >= 240 && o <= 244) { need = 3; if (o == 240) lo = 144; if (o == 244) hi = 143 }`,
    String.raw`for (k = 1; k <= need; k++) { b = ord[substr(s, i + k, 1)]; if (b < lo || b > hi) break; lo = 128; hi = 191 }`,
    String.raw`if (need > 0 && k > need) { out = out substr(s, i, need + 1); i += need } else { out = out "\\ufffd"; i += k - 1 } } }`,
    String.raw`return out }`,
    String.raw`BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }`,
    String.raw`{ time = ""; level = ""; message = $0;`,
    String.raw`if (match($0, /^[^ ]+ +[^ ]+ */)) { message = substr($0, RLENGTH + 1); time = substr($0, 1, index($0, " ") - 1);`,
    String.raw`level = substr($0, length(time) + 1, RLENGTH - length(time)); gsub(/ /, "", level) }`,
    String.raw`printf "{\"time\":\"%s\",\"level\":\"%s\",\"message\":\"%s\"}\n", json(time), json(tolower(level)), json(message); fflush() }`,
  ].join(' ');

  /** awk program turning `name: value` stats lines into Prometheus text lines `app_name value`. */
  public static readonly STATS_TO_PROMETHEUS = [
    '/^[A-Za-z_][A-Za-z0-9_ .-]*: *[-0-9.eE+]+ *$/ {',
    'split($0, field, ":"); name = tolower(field[1]); gsub(/[^a-z0-9_]/, "_", name);',
    'value = field[2]; gsub(/ /, "", value); print "app_" name " " value }',
  ].join(' ');

  /** The adapter's container. */
  public readonly container: kplus.Container;
  /** The name of the app container whose output is adapted. */
  public readonly appContainer: string;
  /** The app container, when the workload is a cdk8s-plus-27 one (its containers are cdk8s-plus containers). */
  public readonly app?: kplus.Container;

  constructor(scope: Construct, id: string, props: AdapterProps) {
    super(scope, id);
    const where = this.node.path;
    const { composition, app } = attach(where, props);
    const { workload, app: appOption, appContainer, podTemplatePath, mode, drainTime, restartOnExitCodes, restartPodOnExit, source, transform, metricsPort = 9100, metricsPortName = 'metrics', pollInterval, ...options } = props;
    const defaultImage = DefaultImage.of(this);
    checkContainerOptions(where, options, defaultImage);
    checkPropKinds(where, props, { transform: 'string', metricsPortName: 'string', pollInterval: 'duration' });
    const ownImage = (options.image ?? defaultImage) !== defaultImage || options.command !== undefined;
    if (source !== undefined ? !(source instanceof AdapterSource) : !ownImage) {
      throw new Error(
        `${where}: source is ${describeValue(source)}. Give AdapterSource.logFile(path) or AdapterSource.statsEndpoint(port, path), ` +
          'or your own `image` (an exporter) that reads the app itself.',
      );
    }
    const config = source?.bind(this, {
      transform,
      metricsPort: checkPort(where, 'metricsPort', metricsPort),
      metricsPortName,
      pollSeconds: pollInterval === undefined ? 15 : wholeSeconds(where, 'pollInterval', pollInterval),
      appDirectories: composition._directories.directoriesOf(app),
    });
    this.appContainer = app;
    this.app = composition._declarations.host.containerObject(app);
    const defaults: ContainerDefaults = {
      image: defaultImage,
      id,
      resources: Adapter.DEFAULT_RESOURCES,
      defaultImageCommand: config?.command,
      ports: config?.ports,
    };
    const adapter = containerProps(where, options, defaults);
    const scriptRuns = config !== undefined && adapter.props.command === config.command;
    const probes = scriptRuns ? { readiness: options.readiness ?? config.readiness, liveness: options.liveness ?? config.liveness } : {};
    this.container = composition._containers.add(this, ContainerRole.ADAPTER, Object.assign(adapter.props, probes), {
      ...helperOptions(where, props, adapter),
      followedLog: scriptRuns ? config.followedFile : undefined,
    });
    addRestartRules(this, composition, props, this.container.name);
    if (config?.appDirectory !== undefined) {
      const limit = Resources.SHARED_DIRECTORY_SIZE_LIMIT;
      composition._directories.add(this, this.appContainer, config.appDirectory, {}, undefined, limit);
      composition._directories.add(this, this.container.name, config.appDirectory, { readOnly: true }, undefined, limit);
    }
    // Only the busybox script writes there: an exporter image gets no unused volume.
    if (scriptRuns && config.scriptDirectory !== undefined) {
      this.container.mount(config.scriptDirectory, kplus.Volume.fromEmptyDir(this, 'Published', `${this.container.name}-published`, { sizeLimit: PUBLISHED_SIZE_LIMIT }));
    }
  }

  /** The ports the adapter listens on (e.g. metrics), for a Service or a scrape config. */
  public get listenPorts(): number[] {
    return this.container.ports.map((p) => p.number);
  }
}

/** The metrics page the stats adapter publishes is rewritten in place: a few KiB; 1 MiB bounds it. */
const PUBLISHED_SIZE_LIMIT = Size.mebibytes(1);

const TAIL_SCRIPTS = new Interned<string>();

/** `tail` of a log file piped through awk; one string for the pods that read alike. */
function tailScript(file: string, program: string): string {
  return TAIL_SCRIPTS.of(`${file}\0${program}`, () => runUntilTerm(`tail -F -n +1 ${shellQuote(file)} | awk ${shellQuote(program)}`));
}
