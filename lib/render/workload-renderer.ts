import { ApiObject, JsonPatch } from 'cdk8s';
import { describeValue } from '../checks/input';
import { KubernetesTarget } from '../kubernetes/kubernetes-target';
import { malformedPart, podTemplateOf, withSharedShapes, WorkloadJson } from '../kubernetes/manifest';
import type { PodComposition } from '../pod/pod-composition';
import { renderWithoutUserPatches } from './cdk8s-patch';

/**
 * The one renderer of a workload with patterns: cdk8s-plus-27 renders it without the user's JSON
 * patches, each declaration of its composition renders its part, then the user's patches apply, so
 * cdk8s' escape hatch can override anything the library set.
 */
export function renderWorkload(composition: PodComposition): WorkloadJson {
  const workload = composition.workload;
  const { rendered, userPatches } = renderWithoutUserPatches(ApiObject.of(workload));
  const manifest = rendered as WorkloadJson;
  renderDeclarations(composition, manifest);
  if (userPatches.length === 0) return withSharedShapes(manifest);
  let patched: WorkloadJson;
  try {
    patched = JsonPatch.apply(manifest, ...userPatches);
  } catch (error) {
    const message =
      `${workload.node.path}: a JSON patch on this workload does not apply to its manifest (${(error as Error).message}). ` +
      'Check its path against the rendered manifest: patterns add containers, and native sidecars are init containers.';
    throw Object.assign(new Error(message), { cause: error });
  }
  const malformed = malformedPart(patched);
  if (malformed) {
    throw new Error(
      `${workload.node.path}: a JSON patch on this workload leaves ${malformed.pointer} ${malformed.value === undefined ? 'missing' : `as ${describeValue(malformed.value)}`}, ` +
        `where the manifest needs ${malformed.want}. Change the patch that targets ${malformed.pointer} (or a part holding it) so it stays ${malformed.want}, or remove that patch.`,
    );
  }
  return withSharedShapes(patched);
}

/** Which composition rendered a manifest, so synth can write its runbook from the very object it writes. */
const RENDERED_BY = new WeakMap<object, PodComposition>();

/**
 * The workload's manifest, checked: what its ApiObject renders as. Checks run here, once per render,
 * rather than in cdk8s' validation, which runs over the whole app again before every chart: a check
 * there would render every pod once per chart.
 */
export function renderChecked(composition: PodComposition): WorkloadJson {
  const manifest = renderWorkload(composition);
  const errors = composition._check(manifest);
  if (errors.length > 0) {
    const path = composition.workload.node.path;
    // cdk8s' own form for validation errors.
    throw new Error(`Validation failed with the following errors:\n  ${errors.map((error) => `[${path}] ${error}`).join('\n  ')}`);
  }
  RENDERED_BY.set(manifest, composition);
  return manifest;
}

/** The composition that rendered `manifest` (an object a workload's toJson returned), if any. */
export function renderedBy(manifest: object): PodComposition | undefined {
  return RENDERED_BY.get(manifest);
}

/**
 * The library's part of the pod: native sidecars placed and drains rendered, init containers in
 * dependency order, pod-wide settings, shared directories mounted. Runs on the output of
 * cdk8s-plus-27 (after its 1.27 field filter, which would drop restartPolicy on init containers).
 */
function renderDeclarations(composition: PodComposition, manifest: WorkloadJson): void {
  const template = podTemplateOf(manifest);
  composition._containers.render(template.spec, KubernetesTarget.of(composition.workload));
  composition._dependencies.render(template.spec);
  composition._settings.render(template);
  composition._directories.render(template.spec);
}
