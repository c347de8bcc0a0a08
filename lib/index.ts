// The public API, exported by name: what users build with. Everything else in lib/ is internal
// (test/public-api.test.ts holds the same list, so a change here is deliberate).
export { Adapter, type AdapterProps, AdapterSource, type AdapterSourceBindOptions, type AdapterSourceConfig } from './patterns/adapter';
export { Ambassador, type AmbassadorProps, type AmbassadorUpstream } from './patterns/ambassador';
export { type AttachmentProps, type HelperProps } from './patterns/attachment';
export { type ContainerOptions } from './patterns/container-defaults';
export { DefaultImage } from './patterns/default-image';
export { type ContainerResourceAmounts, Resources } from './patterns/resources';
export { CAPABILITY_ALL, CAPABILITY_NET_BIND_SERVICE, RestrictedSecurity } from './patterns/restricted-security';
export { ImageContent, type ImageContentProps } from './patterns/image-content';
export { type InitStepOptions, InitSteps, type InitStepsProps } from './patterns/init-steps';
export { KubernetesFeature, KubernetesTarget, KubernetesVersion } from './kubernetes/kubernetes-target';
export { type ContainerDependency, DependencyCondition } from './pod/container-dependencies';
export { ContainerRole, type PatternContainer, SidecarMode } from './pod/pattern-containers';
export { PodComposition } from './composition/pod-composition';
export { WorkloadSelector } from './composition/workload-selector';
export { type SharedDirectoryOptions } from './pod/shared-directories';
export { type PodResources, type RequestAndLimit, type ResourceAmounts } from './kubernetes/pod-resources';
export { Rule, RuleLevel } from './checks/rule';
export { RulePolicy, type RulePolicyOptions } from './checks/rule-policy';
export { Runbook } from './output/runbook';
export { Sidecar, type SidecarProps } from './patterns/sidecar';
export { AtomicSynthesis, type IChartSource, type SynthesisResult } from './output/synthesize';
