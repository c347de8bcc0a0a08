import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** Request and limit of one resource; a limit left out is not rendered (see RulePolicy for the cpu-limit rule). */
export interface RequestAndLimit {
  readonly request: number;
  readonly limit?: number;
}

/** A container's requests and limits in the units users write in YAML: millicores and mebibytes. */
export interface ContainerResourceAmounts {
  /** Cpu in millicores (`100` renders as `100m`). */
  readonly cpuMillis: RequestAndLimit;
  /** Memory in mebibytes (`64` renders as `64Mi`). */
  readonly memoryMebibytes: RequestAndLimit;
}

/**
 * Requests and limits for one container, named so a call reads like the manifest it produces:
 * `containerResourcesOf({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } })`.
 */
export function containerResourcesOf(amounts: ContainerResourceAmounts): kplus.ContainerResources {
  const { cpuMillis: cpu, memoryMebibytes: memory } = amounts;
  return {
    cpu: { request: kplus.Cpu.millis(cpu.request), limit: cpu.limit === undefined ? undefined : kplus.Cpu.millis(cpu.limit) },
    memory: { request: Size.mebibytes(memory.request), limit: memory.limit === undefined ? undefined : Size.mebibytes(memory.limit) },
  };
}

/**
 * Requests and limits for one container, in millicores and mebibytes, by position.
 * @deprecated Four numbers in a row are easy to swap: use containerResourcesOf({ cpuMillis, memoryMebibytes }).
 */
export function containerResources(
  cpuRequestMillis: number,
  cpuLimitMillis: number,
  memoryRequestMebibytes: number,
  memoryLimitMebibytes: number,
): kplus.ContainerResources {
  return containerResourcesOf({
    cpuMillis: { request: cpuRequestMillis, limit: cpuLimitMillis },
    memoryMebibytes: { request: memoryRequestMebibytes, limit: memoryLimitMebibytes },
  });
}
