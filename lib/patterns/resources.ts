import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RequestAndLimit } from '../kubernetes/pod-resources';


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
   * Local ephemeral storage (writable layer and logs) of every container a pattern adds, in mebibytes:
   * requests 64, limits 256. A busybox helper on a read-only root writes only its logs, which the
   * kubelet rotates at 5 files of 10 MiB by default; the limit also keeps the pod's total, which the
   * kubelet checks against the sum of its containers' limits, above the directories patterns share.
   */
  public static readonly DEFAULT_EPHEMERAL_STORAGE: RequestAndLimit = { request: 64, limit: 256 };

  /**
   * The size limit of a directory a Sidecar or an Adapter shares with the app, typically its logs:
   * 128 MiB. Past it the kubelet evicts the pod, rather than the log filling the node's disk and
   * getting other pods evicted.
   */
  public static readonly SHARED_DIRECTORY_SIZE_LIMIT = Size.mebibytes(128);

  /** The size limit of the InitSteps hand-off directory, which holds rendered config or secrets: 16 MiB. */
  public static readonly HAND_OFF_SIZE_LIMIT = Size.mebibytes(16);

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
