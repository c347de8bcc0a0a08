import * as path from 'path';
import * as ts from 'typescript';

// The public API is deliberate: what lib/index.ts exports must be exactly this list, so nothing
// internal (rule functions, JSON types, rendering helpers) leaks into users' imports or the docs.
const PUBLIC_API = [
  // The four patterns and their props (each pattern's DEFAULT_RESOURCES is a static of its class).
  'Adapter', 'AdapterProps', 'AdapterSource', 'AdapterSourceBindOptions', 'AdapterSourceConfig',
  'Ambassador', 'AmbassadorProps', 'AmbassadorUpstream',
  'ImageContent', 'ImageContentProps',
  'InitStepOptions', 'InitSteps', 'InitStepsProps',
  'Sidecar', 'SidecarProps',
  // Container defaults and security helpers.
  'AttachmentProps', 'CAPABILITY_ALL', 'DefaultImage', 'CAPABILITY_NET_BIND_SERVICE', 'ContainerOptions', 'ContainerResourceAmounts', 'HelperProps', 'RequestAndLimit', 'Resources', 'RestrictedSecurity',
  // The pod the patterns compose, its lifecycle and resources.
  'ContainerRole', 'ContainerDependency', 'DependencyCondition', 'PatternContainer', 'PodComposition', 'PodResources', 'ResourceAmounts', 'SharedDirectoryOptions', 'SidecarMode', 'WorkloadSelector',
  // Rules and their policy.
  'Rule', 'RuleLevel', 'RulePolicy', 'RulePolicyOptions',
  // Targets.
  'KubernetesFeature', 'KubernetesTarget', 'KubernetesVersion',
  // Synth and runbooks.
  'AtomicSynthesis', 'IChartSource', 'Runbook', 'SynthesisResult',
];

test('lib/index.ts exports exactly the public API', () => {
  const index = path.join(__dirname, '..', 'lib', 'index.ts');
  const program = ts.createProgram([index], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const exported = checker.getExportsOfModule(module).map((s) => s.getName());
  expect(exported.sort()).toEqual([...PUBLIC_API].sort());
});
