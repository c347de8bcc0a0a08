import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ownRender } from '../pod/cdk8s-hooks';
import { KINDS_WITHOUT_POD, PodTemplateJson, podTemplateOf, WorkloadJson } from '../kubernetes/manifest';
import { describeValue } from '../kubernetes/values';

/**
 * Picks workloads by their pods' labels, the way a cluster picks pods to inject sidecars into (an
 * OpenKruise SidecarSet, a mesh's injection webhook), but at synth time: every object under a scope
 * that carries a pod, whoever wrote it (cdk8s-plus, an imported class, `Include`, `Helm`). Attach a
 * pattern to each match, each its own attachment with all the checks:
 *
 * @example
 * for (const workload of WorkloadSelector.withLabels({ tier: 'web' }).selectIn(app)) {
 *   new Sidecar(workload, 'LogShipper', { workload, sharedPath: '/var/log/nginx', command: ['sh', '-c', 'tail -F /var/log/nginx/access.log'] });
 * }
 */
export class WorkloadSelector {
  /** Workloads whose pod template carries every one of `labels` (other labels may be there too). */
  public static withLabels(labels: { [key: string]: string }): WorkloadSelector {
    if (typeof labels !== 'object' || labels === null || Object.keys(labels).length === 0 || Object.values(labels).some((v) => typeof v !== 'string')) {
      throw new Error(`WorkloadSelector.withLabels: labels is ${describeValue(labels)}. Give at least one label and its value, e.g. { tier: 'web' }.`);
    }
    return new WorkloadSelector({ ...labels });
  }

  private constructor(
    /** The pod labels a workload must carry to be selected. */
    public readonly labels: { [key: string]: string },
  ) {}

  /**
   * The workloads under `scope` (a chart, or the whole app) whose pods carry the labels, in
   * construct-tree order: a cdk8s-plus workload as itself, any other object as its ApiObject.
   * Throws, listing what is there, when nothing matches: a selector that injects nowhere is a mistake.
   */
  public selectIn(scope: IConstruct): IConstruct[] {
    const found = podCarriers(scope);
    const matches = found.filter(({ podLabels }) => Object.entries(this.labels).every(([key, value]) => podLabels[key] === value));
    if (matches.length === 0) {
      const seen = found.map(({ workload, podLabels }) => `${workload.node.path} ${describeValue(podLabels)}`);
      throw new Error(
        `WorkloadSelector.selectIn: no workload under ${scope.node.path || 'the app'} has pod labels ${describeValue(this.labels)} ` +
          `(${seen.length === 0 ? 'no object there carries a pod' : `the pods there: ${seen.join(', ')}`}). Check the labels, or select in another scope.`,
      );
    }
    return matches.map(({ workload }) => workload);
  }
}

/** Every object under `scope` that carries a pod, with its pod's labels. */
function podCarriers(scope: IConstruct): { workload: IConstruct; podLabels: Record<string, string> }[] {
  const carriers: { workload: IConstruct; podLabels: Record<string, string> }[] = [];
  for (const construct of scope.node.findAll()) {
    if (!ApiObject.isApiObject(construct) || KINDS_WITHOUT_POD.includes(construct.kind)) continue;
    const template = podTemplateOf(ownRender(construct) as WorkloadJson) as PodTemplateJson | undefined;
    if (!Array.isArray(template?.spec?.containers)) continue;
    // A workload construct (cdk8s-plus) is selected as itself, as its users know it.
    const owner = construct.node.scope;
    const workload = owner && owner.node.defaultChild === construct ? owner : construct;
    carriers.push({ workload, podLabels: template.metadata?.labels ?? {} });
  }
  return carriers;
}
