// The patterns on every object that carries a pod: Include, a plain ApiObject, an imported class,
// cdk8s-plus-33, a CronJob's job template, custom kinds; the same render, checks and runbooks.
import { join } from 'path';
import { ApiObject, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus27 from 'cdk8s-plus-27';
import * as kplus33 from 'cdk8s-plus-33';
import {
  Adapter,
  AdapterSource,
  Ambassador,
  InitSteps,
  KubernetesTarget,
  KubernetesVersion,
  PodComposition,
  Rule,
  RuleLevel,
  RulePolicy,
  Runbook,
  Sidecar,
  WorkloadSelector,
} from '../../lib';
import { KubeDeployment, Quantity } from '../../imports/k8s';
import { validateForTarget } from '../support/kubernetes-schema';
import { containerOf, KEEP_RUNNING, Manifest, podSpecOf } from '../support/synth';

const WEB_YAML = join(__dirname, '..', '..', 'lib', 'examples', 'manifests', 'web.yaml');
const LOG_COMMAND = ['sh', '-c', 'tail -F /var/log/nginx/access.log'];

/** A chart targeting `version` holding the upstream manifest through Include, and its Deployment. */
function included(version = KubernetesVersion.V1_29): { chart: Chart; web: ApiObject } {
  const chart = new Chart(Testing.app(), 'test');
  KubernetesTarget.set(chart, version);
  const web = new Include(chart, 'Upstream', { url: WEB_YAML }).apiObjects.find((o) => o.kind === 'Deployment')!;
  return { chart, web };
}

const deploymentOf = (manifests: Manifest[]) => manifests.find((m) => m.kind === 'Deployment')!;

/** A plain ApiObject of `kind` whose pod (at `templatePath` inside spec, or the spec itself for a Pod) has one container `app`. */
function plainObject(chart: Chart, kind: string, spec: (pod: Manifest) => Manifest, apiVersion = 'apps/v1'): ApiObject {
  const pod = {
    metadata: { labels: { app: 'plain' } },
    spec: {
      containers: [{ name: 'app', image: 'busybox:1.36', command: KEEP_RUNNING, resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }],
    },
  };
  return new ApiObject(chart, kind, { apiVersion, kind, metadata: { name: 'plain' }, spec: spec(pod) });
}

describe('the acceptance example: a Sidecar on a Deployment from Include', () => {
  test('the sidecar is hardened, sized, native on 1.29, shares the log directory with nginx, and the manifest is valid', () => {
    const { chart, web } = included();
    new Sidecar(chart, 'Logs', { workload: web, appContainer: 'nginx', sharedPath: '/var/log/nginx', command: LOG_COMMAND });
    const manifests = Testing.synth(chart);
    const spec = podSpecOf(deploymentOf(manifests));
    const logs = containerOf(spec, 'logs');
    expect(spec.initContainers.map((c: Manifest) => c.name)).toEqual(['logs']);
    expect(logs.restartPolicy).toBe('Always');
    expect(logs.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(logs.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(spec.volumes.find((v: Manifest) => v.name.startsWith('shared-var-log-nginx')).emptyDir).toEqual({ sizeLimit: '128Mi' });
    const shared = spec.volumes.find((v: Manifest) => v.name.startsWith('shared-var-log-nginx')).name;
    expect(containerOf(spec, 'nginx').volumeMounts).toContainEqual({ mountPath: '/var/log/nginx', name: shared });
    expect(logs.volumeMounts).toContainEqual({ mountPath: '/var/log/nginx', name: shared });
    expect(deploymentOf(manifests).spec.template.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/default-container': 'nginx' });
    // The user's own container and volumes are left as they were.
    expect(containerOf(spec, 'nginx').securityContext).toEqual({ runAsUser: 101, runAsGroup: 101, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(spec.volumes.map((v: Manifest) => v.name)).toEqual(['conf', 'tmp', shared]);
    expect(validateForTarget(manifests, 29)).toEqual([]);
  });

  test('classic on the 1.27 default target: the sidecar is an app container after nginx', () => {
    const { chart, web } = included(KubernetesVersion.V1_27);
    new Sidecar(chart, 'Logs', { workload: web, sharedPath: '/var/log/nginx', command: LOG_COMMAND });
    const spec = podSpecOf(deploymentOf(Testing.synth(chart)));
    expect(spec.containers.map((c: Manifest) => c.name)).toEqual(['nginx', 'logs']);
    expect(spec.initContainers).toBeUndefined();
  });

  test('fails when appContainer names no container, listing the real names', () => {
    const { chart, web } = included();
    expect(() => new Sidecar(chart, 'Logs', { workload: web, appContainer: 'ngnix', command: LOG_COMMAND })).toThrow(
      "test/Logs: appContainer 'ngnix' is not a container of workload test/Upstream/web-deployment (its containers: 'nginx'). Give one of those names.",
    );
  });

  test('fails when appContainer names an init container of the manifest', () => {
    const chart = new Chart(Testing.app(), 'test');
    const withInit = plainObject(chart, 'Deployment', (p) => ({ template: { ...p, spec: { ...p.spec, initContainers: [{ name: 'migrate', image: 'busybox:1.36' }] } } }));
    expect(() => new Sidecar(chart, 'Logs', { workload: withInit, appContainer: 'migrate', command: LOG_COMMAND })).toThrow(
      "test/Logs: appContainer 'migrate' is an init container of workload test/Deployment, which runs before the app. Name the app container instead (its containers: 'app').",
    );
  });

  test('fails when a cdk8s-plus-27 container is given as app for a workload whose containers are JSON', () => {
    const { chart, web } = included();
    const other = new kplus27.Deployment(chart, 'Other', { containers: [{ image: 'busybox:1.36' }] });
    expect(() => new Sidecar(chart, 'Logs', { workload: web, app: other.containers[0], command: LOG_COMMAND })).toThrow(
      "Name its app container with appContainer instead, e.g. appContainer: 'nginx'.",
    );
  });

  test('the runbook of an included workload is written by synth, under its own name', () => {
    const { chart, web } = included();
    new Sidecar(chart, 'Logs', { workload: web, sharedPath: '/var/log/nginx', command: LOG_COMMAND });
    const runbook = Runbook.render(PodComposition.of(web));
    expect(runbook).toContain('# Runbook: Deployment `web`');
    expect(runbook).toContain('logs');
  });
});

describe('every kind of object that carries a pod', () => {
  test('a plain ApiObject Pod with an Ambassador: the app gets the address, the ambassador listens', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = plainObject(chart, 'Pod', (p) => p.spec, 'v1');
    new Ambassador(chart, 'Db', { workload: pod, upstreams: [{ name: 'db', host: 'db.shop', port: 5432 }] });
    const [manifest] = Testing.synth(chart);
    expect(containerOf(manifest.spec, 'app').env).toEqual([{ name: 'DB_ADDR', value: 'localhost:9000' }]);
    expect(containerOf(manifest.spec, 'db').ports).toEqual([{ containerPort: 9000 }]);
  });

  test('an imported KubeDeployment with InitSteps: the step runs first and hands off to the app', () => {
    const chart = new Chart(Testing.app(), 'test');
    const deployment = new KubeDeployment(chart, 'Imported', {
      metadata: { name: 'imported' },
      spec: {
        selector: { matchLabels: { app: 'imported' } },
        template: {
          metadata: { labels: { app: 'imported' } },
          spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: KEEP_RUNNING, resources: { requests: { cpu: Quantity.fromString('50m'), memory: Quantity.fromString('32Mi') }, limits: { cpu: Quantity.fromString('100m'), memory: Quantity.fromString('64Mi') } } }] },
        },
      },
    });
    new InitSteps(chart, 'Init', { workload: deployment, steps: [{ name: 'migrate', command: ['sh', '-c', 'echo ok > $HANDOFF_DIR/done'] }] });
    const spec = podSpecOf(Testing.synth(chart)[0]);
    expect(spec.initContainers.map((c: Manifest) => c.name)).toEqual(['migrate']);
    expect(containerOf(spec, 'app').env).toEqual([{ name: 'HANDOFF_DIR', value: '/handoff' }]);
    expect(containerOf(spec, 'app').volumeMounts[0]).toMatchObject({ mountPath: '/handoff', readOnly: true });
  });

  test('a cdk8s-plus-33 Deployment and Job get all four patterns, native on 1.29, valid by the schema', () => {
    const chart = new Chart(Testing.app(), 'test');
    KubernetesTarget.set(chart, KubernetesVersion.V1_29);
    const web = new kplus33.Deployment(chart, 'Web', { containers: [{ name: 'web', image: 'busybox:1.36', command: KEEP_RUNNING, securityContext: { user: 1000 } }] });
    const batch = new kplus33.Job(chart, 'Batch', { containers: [{ name: 'batch', image: 'busybox:1.36', command: ['true'], securityContext: { user: 1000 } }] });
    for (const workload of [web, batch]) {
      new InitSteps(workload, 'Init', { workload, steps: [{ name: 'setup', command: ['sh', '-c', 'true'] }] });
      new Sidecar(workload, 'Logs', { workload, sharedPath: '/var/log/app', command: ['sh', '-c', 'tail -F /var/log/app/app.log'] });
      new Ambassador(workload, 'Db', { workload, upstreams: [{ name: 'db', host: 'db.shop', port: 5432 }] });
      new Adapter(workload, 'Json', { workload, source: AdapterSource.logFile('/var/log/app/app.log') });
    }
    const manifests = Testing.synth(chart);
    for (const manifest of manifests) {
      const spec = podSpecOf(manifest);
      expect(spec.initContainers.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual([
        ['setup', undefined], ['logs', 'Always'], ['db', 'Always'], ['json', 'Always'],
      ]);
      expect(spec.containers.map((c: Manifest) => c.name)).toEqual([manifest.kind === 'Job' ? 'batch' : 'web']);
    }
    expect(validateForTarget(manifests, 29)).toEqual([]);
  });

  test('a cdk8s-plus-33 container given as app is taken by its name', () => {
    const chart = new Chart(Testing.app(), 'test');
    const web = new kplus33.Deployment(chart, 'Web', { containers: [{ name: 'proxy', image: 'busybox:1.36', command: KEEP_RUNNING, securityContext: { user: 1000 } }] });
    const main = web.addContainer({ name: 'main', image: 'busybox:1.36', command: KEEP_RUNNING, securityContext: { user: 1000 } });
    const db = new Ambassador(chart, 'Db', { workload: web, app: main as never, upstreams: [{ name: 'db', host: 'db.shop', port: 5432 }] });
    expect(db.appContainer).toBe('main');
    expect(db.app).toBeUndefined();
    expect(containerOf(podSpecOf(Testing.synth(chart)[0]), 'main').env).toEqual([{ name: 'DB_ADDR', value: 'localhost:9000' }]);
  });

  test('a CronJob as a plain ApiObject: the patterns go into its job template, the sidecar native so the job completes', () => {
    const chart = new Chart(Testing.app(), 'test');
    KubernetesTarget.set(chart, KubernetesVersion.V1_29);
    const cron = plainObject(chart, 'CronJob', (p) => ({ schedule: '*/5 * * * *', jobTemplate: { spec: { template: { ...p, spec: { ...p.spec, restartPolicy: 'Never' } } } } }), 'batch/v1');
    new Sidecar(chart, 'Logs', { workload: cron, command: KEEP_RUNNING });
    const [manifest] = Testing.synth(chart);
    expect(manifest.spec.jobTemplate.spec.template.spec.initContainers.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual([['logs', 'Always']]);
  });

  test('a custom kind at /spec/template (an Argo Rollout) needs no path; another says where its pod is', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rollout = plainObject(chart, 'Rollout', (p) => ({ selector: { matchLabels: { app: 'plain' } }, template: p }), 'argoproj.io/v1alpha1');
    new Sidecar(chart, 'Logs', { workload: rollout, command: KEEP_RUNNING });
    const worker = plainObject(chart, 'Worker', (p) => ({ runner: { podTemplate: p } }), 'example.com/v1');
    new Sidecar(chart, 'WorkerLogs', { workload: worker, podTemplatePath: '/spec/runner/podTemplate', command: KEEP_RUNNING });
    const [rolloutJson, workerJson] = Testing.synth(chart);
    expect(rolloutJson.spec.template.spec.containers.map((c: Manifest) => c.name)).toEqual(['app', 'logs']);
    expect(workerJson.spec.runner.podTemplate.spec.containers.map((c: Manifest) => c.name)).toEqual(['app', 'worker-logs']);
  });

  test('fails when a custom kind keeps its pod elsewhere and no podTemplatePath says where', () => {
    const chart = new Chart(Testing.app(), 'test');
    const worker = plainObject(chart, 'Worker', (p) => ({ runner: { podTemplate: p } }), 'example.com/v1');
    expect(() => new Sidecar(chart, 'Logs', { workload: worker, command: KEEP_RUNNING })).toThrow(
      "test/Logs: workload test/Worker (a Worker) has no pod template at '/spec/template': nothing there holds spec.containers. " +
        "Give podTemplatePath, the JSON pointer of its pod template (e.g. '/spec/template'), or attach to an object that carries a pod.",
    );
  });

  test('fails when a Deployment has containers as a map or none, saying how Kubernetes takes them', () => {
    const chart = new Chart(Testing.app(), 'test');
    const mapped = new ApiObject(chart, 'Mapped', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mapped' }, spec: { template: { spec: { containers: { app: { image: 'busybox:1.36' } } } } } });
    expect(() => new Sidecar(chart, 'Logs', { workload: mapped, command: KEEP_RUNNING })).toThrow(
      'test/Logs: workload test/Mapped (a Deployment) has spec.containers at \'/spec/template\' as {"app":{"image":"busybox:1.36"}}, not a list. ' +
        'Write containers as Kubernetes takes them: a list of objects, each with a name and an image.',
    );
    const empty = new ApiObject(chart, 'Empty', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'empty' }, spec: { template: { spec: {} } } });
    expect(() => new Sidecar(chart, 'Logs2', { workload: empty, command: KEEP_RUNNING })).toThrow(
      "test/Logs2: workload test/Empty (a Deployment) has no spec.containers in its pod template at '/spec/template'. Give the manifest its containers (a list, each with a name and an image).",
    );
  });

  test('fails when the object carries no pod, naming it', () => {
    const chart = new Chart(Testing.app(), 'test');
    const service = new ApiObject(chart, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    expect(() => new Sidecar(chart, 'Logs', { workload: service, command: KEEP_RUNNING })).toThrow(
      'test/Logs: workload test/Svc is a Service, which carries no pod. Attach the pattern to the workload whose pods it should join.',
    );
    expect(() => new Sidecar(chart, 'Logs2', { workload: chart, command: KEEP_RUNNING })).toThrow(
      'test/Logs2: workload test is a construct without an ApiObject, so it renders no pod.',
    );
  });
});

describe("nothing of the user's is replaced", () => {
  test('fails when a pattern container would take the name of a container the chart has', () => {
    const { chart, web } = included();
    new Sidecar(chart, 'Nginx', { workload: web, command: KEEP_RUNNING });
    expect(() => Testing.synth(chart)).toThrow(
      "test/Upstream/web-deployment: pattern test/Nginx adds container 'nginx', but the Deployment's pod has a container of that name already. Give the pattern's container another `name`.",
    );
  });

  test('fails when a pattern would set an env variable the app has in the chart', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = plainObject(chart, 'Pod', (p) => ({ ...p.spec, containers: [{ ...p.spec.containers[0], env: [{ name: 'DB_ADDR', value: 'db:5432' }] }] }), 'v1');
    expect(() => new Ambassador(chart, 'Db', { workload: pod, upstreams: [{ name: 'db', host: 'db.shop', port: 5432 }] })).toThrow(
      "test/Db: env DB_ADDR of container 'app' is already set by the container's own env.",
    );
  });

  test('fails when a volume the patterns add has the name of a volume the chart has', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = plainObject(chart, 'Pod', (p) => ({ ...p.spec, volumes: [{ name: 'metrics-published', emptyDir: {} }] }), 'v1');
    new Adapter(chart, 'Metrics', { workload: pod, source: AdapterSource.statsEndpoint(8080, '/stats') });
    expect(() => Testing.synth(chart)).toThrow(
      "test/Pod: a pattern adds volume 'metrics-published', but the Pod's pod has a volume of that name already. Rename the chart's volume, or the pattern construct that adds it.",
    );
  });

  test("the user's JSON patches added after the patterns apply last, on what the patterns rendered", () => {
    const { chart, web } = included();
    new Sidecar(chart, 'Logs', { workload: web, command: KEEP_RUNNING });
    web.addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers/0/env', [{ name: 'LEVEL', value: 'debug' }]));
    const spec = podSpecOf(deploymentOf(Testing.synth(chart)));
    expect(containerOf(spec, 'logs').env).toEqual([{ name: 'LEVEL', value: 'debug' }]);
  });
});

describe('rules, policies and settings on any pod', () => {
  test('the budget, a rule policy on the ApiObject, and a warning about the chart\'s own container', () => {
    const chart = new Chart(Testing.app(), 'test');
    const pod = plainObject(chart, 'Pod', (p) => ({ ...p.spec, containers: [{ ...p.spec.containers[0], resources: undefined }] }), 'v1');
    new Sidecar(chart, 'Logs', { workload: pod, command: KEEP_RUNNING });
    const composition = PodComposition.of(pod);
    expect(composition.validate().join('\n')).toContain("container 'app'");
    RulePolicy.set(pod, Rule.CPU_LIMIT, RuleLevel.OFF, { reason: 'bursty', container: 'app' });
    RulePolicy.set(pod, Rule.MEMORY_LIMIT, RuleLevel.OFF, { reason: 'measured', container: 'app' });
    composition.enforceResourceBudget({ cpuMillis: 50, memoryMebibytes: 1024 });
    expect(composition.validate().join('\n')).toContain("the pod's effective cpu limit 100m is above its budget 50m");
  });
});

describe('WorkloadSelector', () => {
  test('a log shipper for every workload labelled tier: web, from Include and cdk8s-plus alike, each its own attachment', () => {
    const { chart, web } = included();
    const other = new kplus33.Deployment(chart, 'Api', { podMetadata: { labels: { tier: 'web' } }, containers: [{ name: 'api', image: 'busybox:1.36', command: KEEP_RUNNING }] });
    new kplus33.Deployment(chart, 'Batch', { containers: [{ name: 'batch', image: 'busybox:1.36', command: KEEP_RUNNING }] });
    const selected = WorkloadSelector.withLabels({ tier: 'web' }).selectIn(chart.node.root);
    expect(selected).toEqual([web, other]);
    for (const workload of selected) new Sidecar(workload, 'LogShipper', { workload, command: KEEP_RUNNING });
    const withShipper = Testing.synth(chart).filter((m) => m.kind === 'Deployment' && JSON.stringify(podSpecOf(m)).includes('log-shipper'));
    expect(withShipper.map((m) => m.metadata.name)).toEqual(['web', expect.stringMatching(/^test-api-/)]);
  });

  test('fails when a selector matches nothing, listing the pods there', () => {
    const { chart } = included();
    expect(() => WorkloadSelector.withLabels({ tier: 'db' }).selectIn(chart)).toThrow(
      'WorkloadSelector.selectIn: no workload under test has pod labels {"tier":"db"} (the pods there: test/Upstream/web-deployment {"app.kubernetes.io/name":"web","tier":"web"}). Check the labels, or select in another scope.',
    );
  });
});
