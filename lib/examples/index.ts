import { App } from 'cdk8s';
import { AdapterExampleChart } from './adapter-example';
import { AmbassadorExampleChart } from './ambassador-example';
import { CombinedExampleChart } from './combined-example';
import { DemoChart } from './demo-chart';
import { HelmExampleChart } from './helm-example';
import { IncludeExampleChart } from './include-example';
import { InitExampleChart } from './init-example';
import { LifecycleExampleChart } from './lifecycle-example';
import { EnvFileExampleChart, RestartAllExampleChart, RestartRulesJobChart } from './newer-kubernetes';
import { SecretsExampleChart } from './secrets-example';
import { HaproxyAmbassadorChart, NativeProxyJobChart, NativeWebExporterChart, RedisExporterChart, WebExporterChart } from './real-software';
import { SidecarExampleChart } from './sidecar-example';
import {
  CronJobExampleChart,
  DaemonSetExampleChart,
  JobExampleChart,
  NativeAmbassadorExampleChart,
  StatefulSetExampleChart,
} from './workload-kinds';

export * from './adapter-example';
export * from './ambassador-example';
export * from './combined-example';
export * from './demo-chart';
export * from './helm-example';
export * from './include-example';
export * from './init-example';
export * from './lifecycle-example';
export * from './newer-kubernetes';
export * from './secrets-example';
export * from './real-software';
export * from './sidecar-example';
export * from './workload-kinds';

/** Adds every example chart to `app`; chart ids name the files in dist/. */
export function addExampleCharts(app: App): void {
  new DemoChart(app, 'demo');
  new InitExampleChart(app, 'init-example');
  new SidecarExampleChart(app, 'sidecar-example');
  new AmbassadorExampleChart(app, 'ambassador-example');
  new AdapterExampleChart(app, 'adapter-example');
  new CombinedExampleChart(app, 'combined-example');
  new JobExampleChart(app, 'job-example');
  new CronJobExampleChart(app, 'cronjob-example');
  new NativeAmbassadorExampleChart(app, 'native-ambassador-example');
  new DaemonSetExampleChart(app, 'daemonset-example');
  new StatefulSetExampleChart(app, 'statefulset-example');
  new SecretsExampleChart(app, 'secrets-example');
  new LifecycleExampleChart(app, 'lifecycle-example');
  new WebExporterChart(app, 'real-web-exporter');
  new NativeWebExporterChart(app, 'real-native-web-exporter');
  new HaproxyAmbassadorChart(app, 'real-haproxy-ambassador');
  new RedisExporterChart(app, 'real-redis-exporter');
  new NativeProxyJobChart(app, 'real-native-proxy-job');
  new EnvFileExampleChart(app, 'env-file-example');
  new RestartRulesJobChart(app, 'restart-rules-job');
  new RestartAllExampleChart(app, 'restart-all-example');
  new IncludeExampleChart(app, 'include-example');
  new HelmExampleChart(app, 'helm-example');
}
