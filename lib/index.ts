// The public API, exported by name: what users build with. Everything else in lib/ is internal
// (test/public-api.test.ts fails when this list changes without the README's API section).
export { Adapter, ADAPTER_RESOURCES, type AdapterProps, AdapterSource, type AdapterSourceBindOptions, type AdapterSourceConfig, LOG_LINE_TO_JSON, STATS_TO_PROMETHEUS } from './adapter';
export { Ambassador, AMBASSADOR_RESOURCES, type AmbassadorProps, type AmbassadorUpstream } from './ambassador';
export {
  type AttachmentProps,
  CAPABILITY_ALL,
  CAPABILITY_NET_BIND_SERVICE,
  type ContainerOptions,
  type ContainerResourceAmounts,
  containerResources,
  containerResourcesOf,
  DEFAULT_IMAGE,
  type HelperProps,
  NON_ROOT_ID,
  RESTRICTED_CONTAINER_SECURITY,
  RESTRICTED_POD_SECURITY,
  type RequestAndLimit,
  restrictedSecurityContext,
} from './container-defaults';
export { INIT_STEP_RESOURCES, type InitStepOptions, InitSteps, type InitStepsProps } from './init-steps';
export { FEATURE_HISTORY, type FeatureHistory, KubernetesFeature, KubernetesTarget, KubernetesVersion } from './kubernetes-target';
export { type ContainerDependency, DependencyCondition } from './lifecycle';
export {
  ContainerRole,
  DEFAULT_CONTAINER_ANNOTATION,
  type DirectoryMountOptions,
  type PatternContainer,
  type PatternContainerOptions,
  PodComposition,
  type SharedDirectoryOptions,
  SidecarMode,
} from './pod-composition';
export { type PodResources, type ResourceAmounts } from './pod-resources';
export { DEFAULT_RULE_LEVELS, RULE_IDS, type RuleId, RuleLevel, RulePolicy, type RulePolicyOptions } from './rule-policy';
export { formatProblem, type Problem } from './rules';
export { renderRunbook } from './runbook';
export { Sidecar, SIDECAR_RESOURCES, type SidecarProps } from './sidecar';
export { OUTPUT_MARKER, synthesizeAtomically, type SynthesisResult } from './synthesize';
