import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MetadataJson } from '../kubernetes/manifest';
import { DNS_LABEL_FIX, isDnsLabel, isDnsSubdomain } from '../kubernetes/names';
import { Problem, RuleDefinition, RuleLevel } from './rule';

/** Rules on objects: names, namespaces, labels, annotations, and objects defined twice. */
export const OBJECTS_RULES: readonly RuleDefinition[] = [
  {
    rule: 'object-name',
    level: RuleLevel.ERROR,
    failsWhen: "a workload's name is not a DNS-1123 subdomain",
    exampleInput: "`metadata: { name: 'Web_1' }` on the Deployment",
    exampleMessage: "[chart/Web] Deployment name 'Web_1' is not a DNS-1123 subdomain. Use at most 253 lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit (cdk8s derives names from construct ids; metadata: { name } sets one).",
  },
  {
    rule: 'namespace',
    level: RuleLevel.ERROR,
    failsWhen: 'a namespace is not a DNS-1123 label',
    exampleInput: "`metadata: { namespace: 'Shop' }` on the Deployment",
    exampleMessage: "[chart/Web] Deployment namespace 'Shop' is not a DNS-1123 label. Use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit.",
  },
  {
    rule: 'label-key',
    level: RuleLevel.ERROR,
    failsWhen: 'a label key is invalid',
    exampleInput: "`workload.podMetadata.addLabel('team name', 'web')`",
    exampleMessage: "[chart/Web] pod template label key 'team name' is invalid. Use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. 'app.kubernetes.io/name').",
  },
  {
    rule: 'label-value',
    level: RuleLevel.ERROR,
    failsWhen: 'a label value is invalid',
    exampleInput: "`workload.metadata.addLabel('team', 'web team')`",
    exampleMessage: "[chart/Web] Deployment label 'team' has value 'web team', which is not a label value. Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
  },
  {
    rule: 'annotation-key',
    level: RuleLevel.ERROR,
    failsWhen: 'an annotation key is invalid',
    exampleInput: "`workload.podMetadata.addAnnotation('-bad/', 'x')`",
    exampleMessage: "[chart/Web] pod template annotation key '-bad/' is invalid. Use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. 'app.kubernetes.io/name').",
  },
  {
    rule: 'duplicate-object',
    level: RuleLevel.ERROR,
    failsWhen: 'two charts of one app define the same kind, namespace and name',
    exampleInput: "`new kplus.ConfigMap(chart, 'Settings', { metadata: { name: 'settings' } })` in two charts",
    exampleMessage: "[] ConfigMap 'settings' without a namespace is defined twice, by chart/Settings and other/Settings. Give one of them another metadata.name or namespace: applied together, the second would replace the first.",
  },
];

/** A label name, and the name part of a label or annotation key. */
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

const SUBDOMAIN_FIX =
  "Use at most 253 lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit " +
  '(cdk8s derives names from construct ids; metadata: { name } sets one).';

/** Name rules per kind, where they are tighter than a DNS-1123 subdomain (apps and batch validation, controllers). */
const NAME_RULES: Record<string, { label?: boolean; maxLength?: number; why?: string }> = {
  // Pods are named <name>-<ordinal>, their host name; their controller-revision-hash label is <name>-<hash of up to 10>.
  StatefulSet: {
    label: true,
    maxLength: 52,
    why: "each pod's controller-revision-hash label is the name, '-' and a hash of up to 10 characters, and label values have at most 63",
  },
  // The controller appends 11 characters to name each Job, whose name is at most 63.
  CronJob: { maxLength: 52, why: 'the CronJob controller appends 11 characters to name each Job, whose name has at most 63' },
  // The Job's pods carry its name as a label value.
  Job: { maxLength: 63, why: "the Job's pods carry its name in the job-name label, whose values have at most 63" },
};

/** The object's own name and namespace, by the rules of its kind. */
export function checkObjectName(problems: Problem[], kind: string, metadata: MetadataJson): void {
  const { name, namespace } = metadata;
  if (name === undefined) {
    problems.push({
      rule: 'object-name',
      field: 'metadata.name',
      value: 'undefined',
      message: `${kind} metadata.name is undefined, which the API server refuses`,
      fix: 'Leave name out of metadata to let cdk8s generate one (name: undefined removes it), or give a name.',
    });
  } else {
    const rule = NAME_RULES[kind] ?? {};
    const field = 'metadata.name';
    if (rule.label ? !isDnsLabel(name) : !isDnsSubdomain(name)) {
      problems.push({
        rule: 'object-name',
        field,
        value: name,
        message: `${kind} name '${name}' is not a DNS-1123 ${rule.label ? 'label' : 'subdomain'}`,
        fix: rule.label ? `${DNS_LABEL_FIX.slice(0, -1)}: it names the pods and their host names.` : SUBDOMAIN_FIX,
      });
    } else if (rule.maxLength !== undefined && name.length > rule.maxLength) {
      problems.push({
        rule: 'object-name',
        field,
        value: name,
        message: `${kind} name '${name}' has ${name.length} characters, more than ${rule.maxLength}`,
        fix: `Use at most ${rule.maxLength}: ${rule.why}.`,
      });
    }
  }
  if (namespace !== undefined && !isDnsLabel(namespace)) {
    problems.push({
      rule: 'namespace',
      field: 'metadata.namespace',
      value: namespace,
      message: `${kind} namespace '${namespace}' is not a DNS-1123 label`,
      fix: DNS_LABEL_FIX,
    });
  }
}

/** Labels and annotations on one object (`where` is its kind) or pod template. */
export function checkMetadata(problems: Problem[], where: string, path: string, metadata: MetadataJson): void {
  const labels = metadata.labels ?? {};
  for (const key in labels) {
    const value = labels[key];
    checkQualifiedName(problems, 'label-key', where, 'label', path, 'labels', key);
    if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      problems.push({
        rule: 'label-value',
        field: `${path}.labels.${key}`,
        value,
        message: `${where} label '${key}' has value '${value}', which is not a label value`,
        fix: "Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
      });
    }
  }
  for (const key in metadata.annotations) {
    checkQualifiedName(problems, 'annotation-key', where, 'annotation', path, 'annotations', key);
  }
}

/** A label or annotation key: an optional DNS prefix and '/', then a name. */
function checkQualifiedName(
  problems: Problem[],
  rule: 'label-key' | 'annotation-key',
  where: string,
  what: 'label' | 'annotation',
  path: string,
  field: 'labels' | 'annotations',
  key: string,
): void {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const badPrefix = slash >= 0 && !isDnsSubdomain(key.slice(0, slash));
  if (badPrefix || name.length > 63 || !LABEL_NAME.test(name)) {
    problems.push({
      rule,
      field: `${path}.${field}.${key}`,
      value: key,
      message: `${where} ${what} key '${key}' is invalid`,
      fix:
        "Use an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', " +
        "starting and ending with a letter or digit (e.g. 'app.kubernetes.io/name').",
    });
  }
}

/** Objects under `root` that repeat an earlier object's kind, namespace and name, each with its problem. */
export function duplicateObjectProblems(root: IConstruct): { problem: Problem; object: ApiObject }[] {
  const firstByKey = new Map<string, ApiObject>();
  const found: { problem: Problem; object: ApiObject }[] = [];
  // cdk8s runs this in each of its whole-app passes, one per chart: a walk of its own, in findAll's pre-order
  // but without building findAll's array of every construct, costs a quarter less (10,000 workloads, 21 passes).
  const visit = (construct: IConstruct): void => {
    if (ApiObject.isApiObject(construct)) check(construct);
    const children = construct.node.children;
    for (let i = 0; i < children.length; i++) visit(children[i]);
  };
  const check = (construct: ApiObject): void => {
    const namespace = construct.metadata.namespace;
    const key = `${construct.kind}\u0000${namespace ?? ''}\u0000${construct.name}`;
    const first = firstByKey.get(key);
    if (!first) {
      firstByKey.set(key, construct);
      return;
    }
    const paths = [first, construct].map((object) => pathUsersWrote(object)).join(' and ');
    found.push({
      object: construct,
      problem: {
        rule: 'duplicate-object',
        field: 'metadata.name',
        value: construct.name,
        message:
          `${construct.kind} '${construct.name}' ${namespace === undefined ? 'without a namespace' : `in namespace '${namespace}'`} ` +
          `is defined twice, by ${paths}`,
        fix: 'Give one of them another metadata.name or namespace: applied together, the second would replace the first.',
      },
    });
  };
  visit(root);
  return found;
}

/** The construct a user created for an object: the cdk8s-plus construct around it, or the object itself. */
function pathUsersWrote(object: ApiObject): string {
  const owner = object.node.scope;
  return owner && !(owner instanceof Chart) && owner.node.defaultChild === object ? owner.node.path : object.node.path;
}
