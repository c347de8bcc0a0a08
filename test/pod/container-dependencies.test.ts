import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Ambassador, DependencyCondition, InitSteps, KubernetesVersion, PodComposition, Sidecar } from '../../lib';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { KEEP_RUNNING, ruleFixture, synthReport, webDeployment } from '../support/rule-examples';
import { containerOf, Manifest, specOf } from '../support/synth';
import { job, web } from '../support/workloads';

const initNames = (chart: Chart) => specOf(chart).initContainers.map((c: Manifest) => c.name);

describe('declared dependencies', () => {
  test('a native sidecar declared first but depending on an init step completing is placed after it', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    const init = new InitSteps(chart, 'Init', { workload, handOff: false, steps: [{ name: 'fetch-certs', command: ['true'] }] });
    expect(initNames(chart)).toEqual(['proxy', 'fetch-certs']);
    pod.addDependency(proxy.container, init.steps[0], DependencyCondition.COMPLETED);
    expect(initNames(chart)).toEqual(['fetch-certs', 'proxy']);
  });

  test('only what a dependency needs moves: unrelated steps keep their declared order', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const steps = new InitSteps(chart, 'Db', { workload, handOff: false, steps: [{ name: 'migrate', command: ['true'] }, { name: 'seed', command: ['true'] }] });
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    pod.addDependency(steps.steps[0], proxy.container);
    expect(initNames(chart)).toEqual(['proxy', 'migrate', 'seed']);
  });

  test('without declarations, declaration order stays', () => {
    const { chart, workload } = job(KubernetesVersion.V1_29);
    new Sidecar(chart, 'A', { workload, command: KEEP_RUNNING });
    new Sidecar(chart, 'B', { workload, command: KEEP_RUNNING });
    expect(initNames(chart)).toEqual(['a', 'b']);
  });

  test('a helper depending on another being ready comes after it, gated by its startup probe', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const agent = new Sidecar(chart, 'Agent', { workload, command: KEEP_RUNNING });
    const proxy = new Ambassador(chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    pod.addDependency(agent.container, proxy.container, DependencyCondition.READY);
    pod.addDependency(workload.containers[0], proxy.container);
    const spec = specOf(chart);
    expect(spec.initContainers.map((c: Manifest) => c.name)).toEqual(['proxy', 'agent']);
    expect(containerOf(spec, 'proxy').startupProbe).toBeDefined();
  });

  test('fails when "ready" is asked of a classic helper, naming both containers and the fix', () => {
    const chart = new Chart(Testing.app(), 'test');
    const web = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }] });
    const proxy = new Ambassador(chart, 'Proxy', { workload: web, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    PodComposition.of(web).addDependency(web.containers[0], proxy.container);
    expect(() => Testing.synth(chart)).toThrow(
      "container 'app': depends on 'proxy' being ready, but 'proxy' is an app container (classic mode), and app containers start together with no order. Make it a native sidecar",
    );
  });

  test('fails when "ready" is asked of a native sidecar with no startup probe', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const agent = new Sidecar(chart, 'Agent', { workload, command: KEEP_RUNNING });
    pod.addDependency(workload.containers[0], agent.container, DependencyCondition.READY);
    expect(() => Testing.synth(chart)).toThrow("but 'agent' has no startup probe to tell when it is ready. Give it a port (a tcp probe is generated) or a startup probe.");
  });

  test('fails when "completed" is asked of a helper that never completes', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const agent = new Sidecar(chart, 'Agent', { workload, command: KEEP_RUNNING });
    pod.addDependency(workload.containers[0], agent.container, DependencyCondition.COMPLETED);
    expect(() => Testing.synth(chart)).toThrow("container 'app': depends on 'agent' being completed, but 'agent' is a native sidecar, which never completes");
  });

  test('fails when dependencies form a cycle', () => {
    const { chart, workload, pod } = job(KubernetesVersion.V1_29);
    const a = new Ambassador(chart, 'A', { workload, upstreams: [{ name: 'a', host: 'a', port: 1 }] });
    const b = new Ambassador(chart, 'B', { workload, firstPort: 9100, upstreams: [{ name: 'b', host: 'b', port: 1 }] });
    pod.addDependency(a.container, b.container);
    pod.addDependency(b.container, a.container);
    expect(() => Testing.synth(chart)).toThrow("containers 'a' → 'b' → 'a' depend on each other in a cycle, so none can start. Remove one of these dependencies.");
  });

  test('fails when a dependency is a container of another workload, naming the construct and the fix', () => {
    const { chart, workload } = web();
    const other = new kplus.Deployment(chart, 'Other', { containers: [{ name: 'proxy', image: 'busybox:1.36', resources: EXAMPLE_APP_RESOURCES }] });
    expect(() => PodComposition.attachTo(workload).addDependency(workload.containers[0], other.containers[0])).toThrow(
      "test/Web: the dependency 'proxy' is not a container of workload test/Web.",
    );
  });

  test('fails when a dependency names a container a JSON patch renamed', () => {
    const fixture = ruleFixture();
    const workload = webDeployment(fixture.chart);
    const proxy = new Ambassador(fixture.chart, 'Proxy', { workload, upstreams: [{ name: 'db', host: 'db', port: 5432 }] });
    PodComposition.of(workload).addDependency(workload.containers[0], proxy.container, DependencyCondition.STARTED);
    ApiObject.of(workload).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/1/name', 'renamed'));
    expect(synthReport(fixture)).toContain(
      "[chart/Web] container 'app': depends on 'proxy' being started, but the pod has no container 'proxy' (its containers: 'app', 'renamed'). Declare dependencies between containers of the same pod.",
    );
  });
});
