import { containerField, containersOf, defaultPodTemplatePointer, isNativeSidecar, PodSpecJson, podTemplateOf, pointerSegments, SecurityContextJson, WorkloadJson } from '../kubernetes/manifest';
import { ResourceAmounts } from '../kubernetes/pod-resources';
import { checkContainer, checkPodContainers } from './containers';
import { checkMetadata, checkObjectName } from './objects';
import { checkPodPorts, checkPortNumbers } from './ports';
import { budgetProblems, checkResources } from './resources';
import { Problem } from './rule';
import { checkSecurity } from './security';
import { checkPodStorage } from './storage';

/**
 * Every rule that reads the rendered workload alone (its metadata, its pod template and pod spec, and
 * its budget), unsorted by level: each area's checks, on exactly what kubectl would get.
 */
export function workloadProblems(manifest: WorkloadJson, budget?: ResourceAmounts, templatePointer = defaultPodTemplatePointer(manifest.kind)): Problem[] {
  const template = podTemplateOf(manifest, templatePointer);
  // Fields are named as kubectl explain names them: spec.template.spec.containers[0].
  const templatePath = pointerSegments(templatePointer).join('.');
  const found: Problem[] = [];
  checkObjectName(found, manifest.kind, manifest.metadata ?? {});
  checkMetadata(found, manifest.kind, 'metadata', manifest.metadata ?? {});
  if (template !== manifest) checkMetadata(found, 'pod template', `${templatePath}.metadata`, template.metadata ?? {});
  checkPodSpec(found, template.spec, template === manifest ? 'spec' : `${templatePath}.spec`);
  if (budget) found.push(...budgetProblems(template.spec, budget));
  return found;
}

/** Each container on its own, then what the containers share: names, volumes, ports. */
function checkPodSpec(problems: Problem[], spec: PodSpecJson, path: string): void {
  const all = containersOf(spec);
  const initCount = spec.initContainers?.length ?? 0;
  const podSecurity: SecurityContextJson = spec.securityContext ?? {};
  // Run-to-completion init containers never run beside the others, so only the rest share ports.
  const running = all.filter((container, i) => i >= initCount || isNativeSidecar(container));
  for (let i = 0; i < all.length; i++) {
    const container = all[i];
    const containerPath = containerField(path, initCount, i);
    checkContainer(problems, container, containerPath, i < initCount && !isNativeSidecar(container));
    checkResources(problems, container.name, containerPath, container.resources ?? {});
    if (container.ports) checkPortNumbers(problems, container.name, containerPath, container.ports);
    checkSecurity(problems, container, containerPath, podSecurity, path);
  }
  checkPodContainers(problems, spec, all, path);
  checkPodStorage(problems, spec, all, path);
  checkPodPorts(problems, all, running, path, initCount);
}
