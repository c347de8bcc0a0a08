import * as path from 'path';
import * as ts from 'typescript';

// The public API is deliberate: what lib/index.ts exports must be exactly this list, so nothing
// internal (rule functions, JSON types, rendering helpers) leaks into users' imports or the docs.
const PUBLIC_API = [
  // The four patterns, their props and defaults.
  'Adapter', 'ADAPTER_RESOURCES', 'AdapterProps', 'AdapterSource', 'AdapterSourceBindOptions', 'AdapterSourceConfig', 'LOG_LINE_TO_JSON', 'STATS_TO_PROMETHEUS',
  'Ambassador', 'AMBASSADOR_RESOURCES', 'AmbassadorProps', 'AmbassadorUpstream',
  'INIT_STEP_RESOURCES', 'InitStepOptions', 'InitSteps', 'InitStepsProps',
  'Sidecar', 'SIDECAR_RESOURCES', 'SidecarProps',
  // Container defaults and security helpers.
  'AttachmentProps', 'CAPABILITY_ALL', 'CAPABILITY_NET_BIND_SERVICE', 'ContainerOptions', 'DEFAULT_IMAGE', 'HelperProps', 'NON_ROOT_ID',
  'RESTRICTED_CONTAINER_SECURITY', 'RESTRICTED_POD_SECURITY', 'restrictedSecurityContext',
  // The pod the patterns compose, its lifecycle and resources.
  'ContainerRole', 'DEFAULT_CONTAINER_ANNOTATION', 'ContainerDependency', 'DependencyCondition', 'DirectoryMountOptions', 'PatternContainer', 'PatternContainerOptions', 'PodComposition',
  'PodResources', 'ResourceAmounts', 'SharedDirectoryOptions', 'SidecarMode', 'containerResources', 'containerResourcesOf', 'ContainerResourceAmounts', 'RequestAndLimit',
  // Rules and their policy.
  'DEFAULT_RULE_LEVELS', 'RULE_IDS', 'RuleId', 'RuleLevel', 'RulePolicy', 'RulePolicyOptions', 'formatProblem', 'Problem',
  // Targets.
  'FEATURE_HISTORY', 'FeatureHistory', 'KubernetesFeature', 'KubernetesTarget', 'KubernetesVersion',
  // Synth and runbooks.
  'renderRunbook', 'synthesizeAtomically', 'SynthesisResult', 'OUTPUT_MARKER',
];

test('lib/index.ts exports exactly the public API', () => {
  const index = path.join(__dirname, '..', 'lib', 'index.ts');
  const program = ts.createProgram([index], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const exported = checker.getExportsOfModule(module).map((s) => s.getName());
  expect(exported.sort()).toEqual([...PUBLIC_API].sort());
});
