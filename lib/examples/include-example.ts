import { ApiObject, Chart, ChartProps, Include } from 'cdk8s';
import { Construct } from 'constructs';
import { KubernetesTarget, KubernetesVersion } from '../kubernetes/kubernetes-target';
import { Adapter, AdapterSource } from '../patterns/adapter';
import { Sidecar } from '../patterns/sidecar';
import { projectFile } from './example-files';
import { stopOnTerm } from './example-workload';

/** Where unprivileged nginx writes its access log (its image links it to stdout; a shared emptyDir makes it a file). */
export const NGINX_ACCESS_LOG = '/var/log/nginx/access.log';

/** A log shipper following nginx's access log, shipping each line to its own stdout; stops at once on SIGTERM. */
export const NGINX_LOG_SHIPPER_COMMAND = stopOnTerm(`tail -F -n +1 ${NGINX_ACCESS_LOG} | awk '{ print "[shipped] " $0; fflush() }'`);

/**
 * awk program turning nginx's `combined` access-log lines into JSON lines
 * `{"time":…,"remote":…,"request":…,"status":200,"bytes":17,"referer":…,"agent":…}`, flushed line
 * by line; a line of another shape is kept whole as `{"message":…}`. nginx writes `"`, `\`, control
 * and non-ASCII bytes of its variables as `\xHH`, so escaping `\`, `"` and control characters keeps
 * every line valid JSON.
 */
export const NGINX_ACCESS_LOG_TO_JSON = [
  String.raw`BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }`,
  String.raw`function esc(s,  out, i, c) { out = ""; for (i = 1; i <= length(s); i++) { c = substr(s, i, 1);`,
  String.raw`if (ord[c] < 32) out = out sprintf("\\u%04x", ord[c]); else if (c == "\\" || c == "\"") out = out "\\" c; else out = out c } return out }`,
  String.raw`/^[^ ]+ [^ ]+ [^ ]+ \[[^]]+\] "[^"]*" [0-9]+ [0-9]+ "[^"]*" "[^"]*"$/ {`,
  String.raw`split($0, q, "\""); split(q[1], head, " "); split(q[3], tail, " "); time = q[1]; sub(/^[^[]*\[/, "", time); sub(/\].*$/, "", time);`,
  String.raw`printf "{\"time\":\"%s\",\"remote\":\"%s\",\"request\":\"%s\",\"status\":%d,\"bytes\":%d,\"referer\":\"%s\",\"agent\":\"%s\"}\n",`,
  String.raw`esc(time), esc(head[1]), esc(q[2]), tail[1], tail[2], esc(q[4]), esc(q[6]); fflush(); next }`,
  String.raw`{ printf "{\"message\":\"%s\"}\n", esc($0); fflush() }`,
].join(' ');

/**
 * An upstream-style manifest, used as it is shipped: `Include` reads lib/examples/manifests/web.yaml
 * (unprivileged nginx, hardened and sized, which knows nothing of sidecars), and the patterns attach
 * to its Deployment by name of the app container: a log shipper following nginx's access log, and an
 * adapter printing it as JSON, both sharing nginx's log directory read-only. Targets Kubernetes 1.29,
 * so both are native sidecars, started before nginx.
 */
export class IncludeExampleChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    KubernetesTarget.set(this, KubernetesVersion.V1_29);
    const upstream = new Include(this, 'Upstream', { url: projectFile('lib/examples/manifests/web.yaml') });
    const web = upstream.apiObjects.find((o: ApiObject) => o.kind === 'Deployment');
    if (!web) throw new Error('lib/examples/manifests/web.yaml has no Deployment');
    new Sidecar(this, 'LogShipper', {
      workload: web,
      appContainer: 'nginx',
      sharedPath: '/var/log/nginx',
      sharedReadOnly: true,
      command: NGINX_LOG_SHIPPER_COMMAND,
    });
    new Adapter(this, 'LogNormalizer', {
      workload: web,
      appContainer: 'nginx',
      source: AdapterSource.logFile(NGINX_ACCESS_LOG),
      transform: NGINX_ACCESS_LOG_TO_JSON,
    });
  }
}
