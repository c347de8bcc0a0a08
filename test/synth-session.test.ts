import * as os from 'os';
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Sidecar } from '../lib';
import { KEEP_RUNNING } from './support/synth';

/** A construct whose validation counts how often cdk8s ran it. */
class CountsValidations extends Construct {
  public runs = 0;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => (this.runs++, []) });
  }
}

/**
 * Three charts, one nested, with chart and object dependencies that reorder what cdk8s writes, and a
 * workload with a sidecar in each.
 */
function appWithDependencies(): { app: App; counter: CountsValidations } {
  const app = new App({ outdir: os.tmpdir() });
  const charts = ['first', 'second', 'third'].map((id) => new Chart(app, id));
  const nested = new Chart(charts[1], 'nested');
  charts[0].addDependency(charts[2]);
  for (const chart of [...charts, nested]) {
    const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
    const config = new kplus.ConfigMap(chart, 'Config', { data: { key: 'value' } });
    // Listed after the Deployment in the tree; the dependency puts it first.
    ApiObject.of(workload).addDependency(config);
  }
  return { app, counter: new CountsValidations(charts[2], 'Counter') };
}

describe('one synth', () => {
  test('renders each chart as cdk8s renders a chart on its own (order, dependencies, nested charts)', () => {
    const { app } = appWithDependencies();
    const yaml = app.synthYaml();
    // Each chart.toJson() outside a synth is a synth of its own, through cdk8s' own chart synth. The
    // chart order is read after the synth: its first pass adds the nested chart's dependency.
    const chartByChart = Yaml.stringify(...app.charts.flatMap((chart) => chart.toJson()));
    expect(yaml).toEqual(chartByChart);
    expect(chartByChart.indexOf('kind: ConfigMap')).toBeLessThan(chartByChart.indexOf('kind: Deployment'));
  });

  test('runs cdk8s\' whole-app validation once, however many charts it renders', () => {
    const { app, counter } = appWithDependencies();
    app.synthYaml();
    expect(counter.runs).toBe(1);
    app.synth();
    expect(counter.runs).toBe(2);
    Testing.synth(app.charts[0]);
    expect(counter.runs).toBe(3);
  });

  test('leaves cdk8s as it is until a workload gets patterns', () => {
    jest.isolateModules(() => {
      // A registry of its own: this cdk8s has not been touched by the library loaded above.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- only require loads into jest's isolated registry
      const load = (id: string): unknown => require(id);
      const cdk8s = load('cdk8s') as typeof import('cdk8s');
      const lib = load('../lib') as typeof import('../lib');
      const plus = load('cdk8s-plus-27') as typeof import('cdk8s-plus-27');
      const entryPoints = () => [cdk8s.App.prototype.synth, cdk8s.App.prototype.synthYaml, cdk8s.Chart.prototype.toJson, (cdk8s.App as unknown as { _synthChart: unknown })._synthChart];
      const untouched = entryPoints();
      const chart = new cdk8s.Chart(new cdk8s.App(), 'chart');
      const workload = new plus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
      expect(entryPoints()).toEqual(untouched);
      new lib.Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload });
      expect(entryPoints().map((method, i) => method === untouched[i])).toEqual([false, false, false, false]);
    });
  });
});
