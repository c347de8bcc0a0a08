import * as os from 'os';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Sidecar } from '../lib';
import { KEEP_RUNNING } from './support/synth';

/**
 * Three charts, one nested, with chart and object dependencies, and a workload with a sidecar in each:
 * cdk8s validates the whole app again before each of the four charts it renders.
 */
function appWithDependencies(): { app: App; workloads: kplus.Deployment[] } {
  const app = new App({ outdir: os.tmpdir() });
  const charts = ['first', 'second', 'third'].map((id) => new Chart(app, id));
  charts.push(new Chart(charts[1], 'nested'));
  charts[0].addDependency(charts[2]);
  const workloads = charts.map((chart) => {
    const workload = new kplus.Deployment(chart, 'Web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, name: 'shipper' });
    ApiObject.of(workload).addDependency(new kplus.ConfigMap(chart, 'Config', { data: { key: 'value' } }));
    return workload;
  });
  return { app, workloads };
}

describe('each synth', () => {
  let render: jest.SpyInstance;
  beforeEach(() => {
    render = jest.spyOn(kplus.k8s.KubeDeployment.prototype, 'toJson');
  });
  afterEach(() => render.mockRestore());

  test('renders and checks each pod once, however many charts cdk8s validates the app for', () => {
    const { app } = appWithDependencies();
    app.synthYaml();
    expect(render).toHaveBeenCalledTimes(4);
    Testing.synth(app.charts[0]);
    expect(render).toHaveBeenCalledTimes(5);
  });

  test('sees a change made after the previous synth', () => {
    const { app, workloads } = appWithDependencies();
    app.synthYaml();
    workloads[0].addContainer({ name: 'Not_A_Name', image: 'busybox:1.36' });
    expect(() => app.synthYaml()).toThrow(/^Validation failed with the following errors:\n {2}\[first\/Web\] container 'Not_A_Name': /);
  });
});
