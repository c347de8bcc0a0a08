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

/** Container requests and limits in the units users write in YAML. */
export class Resources {
  /**
   * Requests and limits for one container, named so a call reads like the manifest it produces:
   * `Resources.container({ cpuMillis: { request: 50, limit: 100 }, memoryMebibytes: { request: 32, limit: 64 } })`.
   */
  public static container(amounts: ContainerResourceAmounts): kplus.ContainerResources {
    const { cpuMillis: cpu, memoryMebibytes: memory } = amounts;
    return {
      cpu: { request: kplus.Cpu.millis(cpu.request), limit: cpu.limit === undefined ? undefined : kplus.Cpu.millis(cpu.limit) },
      memory: { request: Size.mebibytes(memory.request), limit: memory.limit === undefined ? undefined : Size.mebibytes(memory.limit) },
    };
  }

  private constructor() {}
}
