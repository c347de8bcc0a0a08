import { JsonPatch } from 'cdk8s';
import { KubernetesTarget } from '../kubernetes/kubernetes-target';
import { malformedPart, podTemplateOf, withSharedShapes, WorkloadJson } from '../kubernetes/manifest';
import { describeValue } from '../kubernetes/values';
import { PodDeclarations } from '../pod/pod-declarations';

/**
 * The one renderer of a workload with patterns, whatever carries its pod: the object's own class
 * renders it (cdk8s-plus, an imported class, Include's JSON) with the patterns' containers, each
 * declaration renders its part, then the user's patches apply, so cdk8s' escape hatch can override
 * anything the library set.
 */
export function renderWorkload(declarations: PodDeclarations): WorkloadJson {
  const host = declarations.host;
  const workload = host.workload;
  const { manifest, userPatches } = host.render((container) => declarations.containers.find(container)?.addedBy);
  renderDeclarations(declarations, manifest);
  if (userPatches.length === 0) return shared(manifest);
  let patched: WorkloadJson;
  try {
    patched = JsonPatch.apply(manifest, ...userPatches);
  } catch (error) {
    const message =
      `${workload.node.path}: a JSON patch on this workload does not apply to its manifest (${(error as Error).message}). ` +
      'Check its path against the rendered manifest: patterns add containers, and native sidecars are init containers.';
    throw Object.assign(new Error(message), { cause: error });
  }
  const malformed = malformedPart(patched, host.templatePointer);
  if (malformed) {
    throw new Error(
      `${workload.node.path}: a JSON patch on this workload leaves ${malformed.pointer} ${malformed.value === undefined ? 'missing' : `as ${describeValue(malformed.value)}`}, ` +
        `where the manifest needs ${malformed.want}. Change the patch that targets ${malformed.pointer} (or a part holding it) so it stays ${malformed.want}, or remove that patch.`,
    );
  }
  return shared(patched);
}

/**
 * The manifest rebuilt with shared hidden classes (see withSharedShapes), for manifests kept in memory until
 * they are written (`synthYaml`, `app.synth()`'s chart at a time). Not while a synth observes renders: it hands
 * each manifest to its writer thread at once, which gets a copy of its own.
 */
function shared(manifest: WorkloadJson): WorkloadJson {
  return renderObserver === undefined ? withSharedShapes(manifest) : manifest;
}

/**
 * The workload's manifest, checked by `check` (the composition's rules): what its ApiObject renders as. Checks run here, once per render,
 * rather than in cdk8s' validation, which runs over the whole app again before every chart: a check
 * there would render every pod once per chart.
 */
export function renderChecked(declarations: PodDeclarations, check: (manifest: WorkloadJson) => string[]): WorkloadJson {
  const manifest = renderWorkload(declarations);
  const errors = check(manifest);
  if (errors.length > 0) {
    const path = declarations.host.path;
    // cdk8s' own form for validation errors.
    throw new Error(`Validation failed with the following errors:\n  ${errors.map((error) => `[${path}] ${error}`).join('\n  ')}`);
  }
  renderObserver?.(manifest, declarations);
  return manifest;
}

/** Told of every manifest {@link renderChecked} returns, while a synth that writes them early is under way. */
let renderObserver: ((manifest: WorkloadJson, declarations: PodDeclarations) => void) | undefined;

/**
 * Calls `observer` with each workload manifest as it renders, until the returned function is called: synth
 * hands each to its writer thread at once rather than when its whole chart has rendered.
 */
export function observeRenders(observer: (manifest: WorkloadJson, declarations: PodDeclarations) => void): () => void {
  const previous = renderObserver;
  renderObserver = observer;
  return () => {
    renderObserver = previous;
  };
}

/**
 * The library's part of the pod: native sidecars placed and drains rendered, init containers in
 * dependency order, pod-wide settings, shared directories mounted. Runs on the object's own render
 * (for cdk8s-plus-27, after its 1.27 field filter, which would drop restartPolicy on init containers).
 */
function renderDeclarations(declarations: PodDeclarations, manifest: WorkloadJson): void {
  const template = podTemplateOf(manifest, declarations.host.templatePointer);
  declarations.containers.render(template.spec, KubernetesTarget.of(declarations.host.workload));
  declarations.dependencies.render(template.spec);
  declarations.settings.render(template);
  declarations.directories.render(template.spec);
  declarations.env.render(template.spec);
  declarations.images.render(template.spec);
  declarations.restarts.render(template.spec);
}
