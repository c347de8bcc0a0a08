/**
 * Where the library hooks into cdk8s' render, and the one place it reads a private member of cdk8s.
 *
 * A workload with patterns renders as: its class' own render, then the patterns' part (the
 * declarations, rendered by `render/workload-renderer.ts`), then the user's JSON patches. cdk8s
 * renders every object through its public `toJson()` (chart synth, `app.synth`, `synthYaml`,
 * `Testing.synth`), so that method is replaced on the one object that carries the pod.
 *
 * The private member, for cdk8s-plus-27 workloads only: native sidecars are init containers with
 * `restartPolicy: Always`, a field Kubernetes 1.27 lacks. cdk8s-plus-27's L1 object (`KubeDeployment`...)
 * applies the user's JSON patches and then drops every field its 1.27 types lack, so a user patch on a
 * native sidecar would be lost unless the patches are taken out of its private `patches` array while
 * it renders and applied after the patterns' part. Every other object (imported classes, `Include`,
 * `Helm`, newer cdk8s-plus) takes the user's later patches through its public `addJsonPatch`, so
 * nothing private of it is touched (pod-host.ts).
 * test/pod/cdk8s-hooks.test.ts fails when either member changes or when cdk8s-plus stops filtering.
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

/** What `apiObject`'s own class renders (its JSON patches applied), whatever replaced its `toJson`. */
export function ownRender(apiObject: ApiObject): unknown {
  return Object.getPrototypeOf(apiObject).toJson.call(apiObject);
}

/**
 * What a cdk8s-plus-27 workload's object renders without the user's JSON patches (cdk8s-plus'
 * render after the 1.27 filter), and those patches, to apply afterwards.
 */
export function renderWithoutUserPatches(apiObject: ApiObject): { readonly rendered: unknown; readonly userPatches: readonly JsonPatch[] } {
  const patches = (apiObject as unknown as WithPatches).patches;
  const userPatches = patches.splice(0);
  try {
    return { rendered: ownRender(apiObject), userPatches };
  } finally {
    patches.push(...userPatches);
  }
}
