// The public API, exported by name: what users build with. Everything else in lib/ is internal
// (test/public-api.test.ts holds the same list, so a change here is deliberate).
export { Adapter, type AdapterProps, AdapterSource, type AdapterSourceBindOptions, type AdapterSourceConfig } from './adapter';
export { Ambassador, type AmbassadorProps, type AmbassadorUpstream } from './ambassador';
export {
  type AttachmentProps,
  CAPABILITY_ALL,
  CAPABILITY_NET_BIND_SERVICE,
  type ContainerOptions,
  type ContainerResourceAmounts,
  type HelperProps,
  type RequestAndLimit,
  Resources,
  RestrictedSecurity,
} from './container-defaults';
export { type InitStepOptions, InitSteps, type InitStepsProps } from './init-steps';
export { KubernetesFeature, KubernetesTarget, KubernetesVersion } from './kubernetes-target';
export { type ContainerDependency, DependencyCondition } from './lifecycle';
export { ContainerRole, type PatternContainer, PodComposition, type SharedDirectoryOptions, SidecarMode } from './pod-composition';
export { type PodResources, type ResourceAmounts } from './pod-resources';
export { Rule, RuleLevel, RulePolicy, type RulePolicyOptions } from './rule-policy';
export { Runbook } from './runbook';
export { Sidecar, type SidecarProps } from './sidecar';
export { AtomicSynthesis, type IChartSource, type SynthesisResult } from './synthesize';
