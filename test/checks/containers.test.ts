import { Sidecar } from '../../lib';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { checkPod, fixture, KEEP_RUNNING, synthError } from '../support/rule-examples';

describe('container rules', () => {
  test('fails when an image reference is empty', () => {
    const { app, chart, workload } = fixture();
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, image: ' ' });
    expect(synthError(app)).toContain("container 'shipper' (added by chart/Shipper): image is empty. Give an image reference such as 'busybox:1.36'.");
  });

  test('warns, and goes on, when an image has no tag or the latest tag', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    warn.mockClear();
    const { app, chart, workload } = fixture({ image: 'busybox' });
    new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, image: 'busybox:latest', resources: EXAMPLE_APP_RESOURCES });
    expect(app.synthYaml()).toContain('image: busybox:latest');
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      "Warning: [chart/Web] container 'app': image 'busybox' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
      "Warning: [chart/Web] container 'shipper' (added by chart/Shipper): image 'busybox:latest' can change under the same name. Pin a tag (e.g. 'busybox:1.36') or a digest ('busybox@sha256:...').",
    ]);
  });

  test.each([
    [{ env: [{ name: '..config' }] }, 'env-name', "env name '..config' is invalid"],
  ])('checks what cdk8s-plus cannot render but a patch can: %j', (container, rule, message) => {
    expect(checkPod(container).errors.map((p) => [p.rule, p.message])).toEqual([[rule, message]]);
  });
});
