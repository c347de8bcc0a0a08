/**
 * The library's one patch of cdk8s, and why it has to be one.
 *
 * A workload with patterns is rendered as: cdk8s-plus-27's own render and its 1.27 field filter, then
 * the patterns' part (the declarations, rendered by `workload-renderer.ts`), then the user's JSON patches. Two things need a patch:
 * - Native sidecars are init containers with `restartPolicy: Always`, a field Kubernetes 1.27 lacks.
 *   The workload's L1 object (`KubeDeployment`...) drops every field its 1.27 types lack after it has
 *   applied the JSON patches, so the field can only be added to what the object's `toJson()` returns.
 *   The object is created by cdk8s-plus inside the user's `new Deployment(...)`, in the user's plain
 *   `Chart`, so neither a subclass nor a `Chart.toJson` of ours can reach it: its `toJson` is replaced
 *   on that one instance.
 * - The user's patches must apply after the patterns' part (they may remove a sidecar's
 *   `restartPolicy`), but cdk8s applies them inside `toJson`, before the filter, and keeps them in a
 *   private `patches` array that nothing public reads. They are taken out of it while the object renders.
 * test/render/cdk8s-patch.test.ts fails when either member changes or when cdk8s-plus stops filtering.
 */
import { ApiObject, JsonPatch } from 'cdk8s';

/** An ApiObject as cdk8s builds it: the user's JSON patches, in the order added. */
type WithPatches = { readonly patches: JsonPatch[] };

/**
 * Makes `apiObject.toJson()` return `render()`. cdk8s renders every object through its `toJson`
 * (chart synth, `app.synth`, `synthYaml`, `Testing.synth`).
 */
export function replaceRender(apiObject: ApiObject, render: () => unknown): void {
  apiObject.toJson = render;
}

/**
 * What `apiObject`'s own class renders without the user's JSON patches (for a workload: cdk8s-plus'
 * render after the 1.27 filter), and those patches, to apply afterwards.
 */
export function renderWithoutUserPatches(apiObject: ApiObject): { readonly rendered: unknown; readonly userPatches: readonly JsonPatch[] } {
  const patches = (apiObject as unknown as WithPatches).patches;
  const userPatches = patches.splice(0);
  try {
    return { rendered: Object.getPrototypeOf(apiObject).toJson.call(apiObject), userPatches };
  } finally {
    patches.push(...userPatches);
  }
}
