import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/**
 * Requests and limits for one container, in the units users write in YAML
 * (millicores and mebibytes), so defaults read like the manifests they produce.
 */
export function containerResources(
  cpuRequestMillis: number,
  cpuLimitMillis: number,
  memoryRequestMebibytes: number,
  memoryLimitMebibytes: number,
): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(cpuRequestMillis), limit: kplus.Cpu.millis(cpuLimitMillis) },
    memory: { request: Size.mebibytes(memoryRequestMebibytes), limit: Size.mebibytes(memoryLimitMebibytes) },
  };
}
