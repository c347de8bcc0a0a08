import { IConstruct } from 'constructs';
import { containerNames, containersOf, isNativeSidecar, named, PodSpecJson } from '../kubernetes/manifest';
import { PodHost } from './pod-host';

/** What a container's exit does, by Kubernetes' restart rule actions. */
export enum RestartAction {
  /** Restart that container only (`Restart`, Kubernetes 1.35+). */
  RESTART = 'Restart',
  /** Restart every container of the pod, in place (`RestartAllContainers`, Kubernetes 1.36+). */
  RESTART_ALL_CONTAINERS = 'RestartAllContainers',
}

/** A restart rule declared for one container. */
export interface RestartRule {
  /** The container, by name. */
  readonly container: string;
  readonly action: RestartAction;
  /** The exit codes it applies to; undefined for any exit. */
  readonly exitCodes?: readonly number[];
  readonly declaredBy: IConstruct;
}

/**
 * The restart rules declared for a pod's containers (`restartPolicyRules`, fields cdk8s-plus-27
 * lacks), rendered when the pod renders, once the target has decided which helpers are native.
 */
export class RestartRules {
  private readonly rules: RestartRule[] = [];

  constructor(private readonly host: PodHost) {}

  /** Every rule, in the order declared. */
  public get all(): readonly RestartRule[] {
    return this.rules;
  }

  public add(rule: RestartRule): void {
    this.rules.push(rule);
  }

  /**
   * Adds each rule to its container, and the container-level `restartPolicy` the API server asks for
   * beside rules: what the pod's restartPolicy says, so only the rule changes what an exit does (a
   * native sidecar keeps its `Always`).
   */
  public render(spec: PodSpecJson): void {
    if (this.rules.length === 0) return;
    const containers = containersOf(spec);
    for (const { container: name, action, exitCodes, declaredBy } of this.rules) {
      const container = named(containers, name);
      if (!container) {
        throw new Error(
          `${declaredBy.node.path}: a restart rule names container '${name}', which the pod of ${this.host.path} does not have (its containers: ${containerNames(containers)}). Give one of those names.`,
        );
      }
      if (action === RestartAction.RESTART && isNativeSidecar(container)) {
        throw new Error(
          `${declaredBy.node.path}: '${name}' restarts on exit codes ${exitCodes?.join(', ')}, but it renders as a native sidecar, which restarts on every exit already. ` +
            'Leave the exit codes out, or make it classic (mode: SidecarMode.CLASSIC).',
        );
      }
      container.restartPolicy ??= spec.restartPolicy ?? 'Always';
      container.restartPolicyRules = [
        ...(container.restartPolicyRules ?? []),
        { action, exitCodes: exitCodes ? { operator: 'In', values: [...exitCodes] } : { operator: 'NotIn', values: [] } },
      ];
    }
  }
}

/** Exit codes as given: whole numbers from 1 to 255 (0 is success, which no one restarts on), each once, at most 255. */
export function checkExitCodes(where: string, exitCodes: unknown): number[] {
  const fine = Array.isArray(exitCodes) && exitCodes.length > 0 && exitCodes.length <= 255 &&
    exitCodes.every((c) => Number.isInteger(c) && c >= 1 && c <= 255) && new Set(exitCodes).size === exitCodes.length;
  if (!fine) {
    throw new Error(`${where}: exit codes ${JSON.stringify(exitCodes)} are not a list of different whole numbers from 1 to 255. Give e.g. [42].`);
  }
  return exitCodes as number[];
}
