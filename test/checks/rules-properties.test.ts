import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  Resources,
  PodComposition,
  RestrictedSecurity,
  Rule,
  RulePolicy,
  Sidecar,
} from '../../lib';
import { byLevel } from '../../lib/checks/composition';
import { formatProblem, Problem } from '../../lib/checks/rule';
import { workloadProblems } from '../../lib/checks/workload';
import { EXAMPLE_APP_RESOURCES } from '../../lib/examples/example-workload';
import { validateManifests } from '../support/kubernetes-schema';
import { KEEP_RUNNING } from '../support/rule-examples';

/** What a user may put in a Deployment and its app container; most of it is random. */
interface Input {
  readonly name?: string;
  readonly namespace?: string;
  readonly containerName: string;
  readonly ports: kplus.ContainerPort[];
  readonly cpuMillis: { request: number; limit: number };
  readonly memoryMebibytes: { request: number; limit: number };
}

/**
 * Builds the input with a sidecar attached, then checks both ways: every problem names its value
 * and a fix and synth fails exactly when there is an error; without errors, the output passes the
 * strict 1.27 schema.
 */
function expectProblemOrValidOutput(input: Input): void {
  const app = Testing.app();
  const chart = new Chart(app, 'chart');
  const workload = new kplus.Deployment(chart, 'Web', {
    metadata: { ...(input.name === undefined ? {} : { name: input.name }), ...(input.namespace === undefined ? {} : { namespace: input.namespace }) },
    securityContext: RestrictedSecurity.POD,
    containers: [
      {
        name: input.containerName,
        image: 'busybox:1.36',
        ports: input.ports,
        resources: Resources.container({ cpuMillis: input.cpuMillis, memoryMebibytes: input.memoryMebibytes }),
      },
    ],
  });
  new Sidecar(chart, 'Shipper', { command: KEEP_RUNNING, workload, resources: EXAMPLE_APP_RESOURCES });
  const { errors } = byLevel(workloadProblems(PodComposition.of(workload)._manifest), (rule, container) => RulePolicy.levelOf(workload, rule as Rule, container));
  for (const problem of errors) expectValueAndFix(problem);
  if (errors.length > 0) {
    expect(() => app.synthYaml()).toThrow(errors[0].message);
  } else {
    expect(validateManifests(Testing.synth(chart))).toEqual([]);
  }
}

function expectValueAndFix(problem: Problem): void {
  expect(problem.value).toBeDefined();
  expect(formatProblem(problem)).toContain(problem.value);
  expect(problem.fix).toMatch(/^(Use|Write|Give|Set|Pin|Add|Mount|Lower|Remove)\b/);
}

const validInput: Input = {
  containerName: 'app',
  ports: [{ number: 8080 }],
  cpuMillis: { request: 50, limit: 100 },
  memoryMebibytes: { request: 32, limit: 64 },
};

/** Numbers users might pass by mistake: fractions, negatives, huge, not finite. */
const anyNumber = fc.oneof(
  fc.integer({ min: 1, max: 65535 }),
  fc.integer({ min: -100000, max: 200000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -1, 65535, 65536, 1e21, NaN, Infinity, -Infinity, 0.5),
);

/** Names from the characters that matter: letters of both cases, digits, '-', '.', '_', and lengths around the limits. */
const anyName = fc.oneof(
  fc.stringOf(fc.constantFrom(...'abcxyz019-._A'.split('')), { minLength: 1, maxLength: 12 }),
  fc.integer({ min: 50, max: 260 }).map((n) => 'a'.repeat(n)),
  fc.constantFrom('web', 'web.shop', 'Web', '-web', 'web-', 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(253), 'a'.repeat(254)),
);

describe('property: random inputs end in a problem naming the value and the fix, or in schema-valid output', () => {
  test('ports: container and host port numbers and protocols', () => {
    const port = fc.record({
      number: anyNumber,
      hostPort: fc.option(anyNumber, { nil: undefined }),
      protocol: fc.option(fc.constantFrom(kplus.Protocol.TCP, kplus.Protocol.UDP, kplus.Protocol.SCTP), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(port, { maxLength: 3 }), (ports) => {
        // Distinct numbers per protocol (cdk8s-plus refuses repeats itself), so only the numbers can be wrong.
        const key = (p: kplus.ContainerPort) => `${p.number}/${p.protocol ?? kplus.Protocol.TCP}`;
        const unique = ports.filter((p, i) => ports.findIndex((q) => key(q) === key(p)) === i);
        expectProblemOrValidOutput({ ...validInput, ports: unique });
      }),
      { numRuns: 400 },
    );
  });

  test('names: object name, namespace and container name', () => {
    fc.assert(
      fc.property(fc.option(anyName, { nil: undefined }), fc.option(anyName, { nil: undefined }), anyName, (name, namespace, containerName) => {
        fc.pre(containerName !== 'shipper');
        expectProblemOrValidOutput({ ...validInput, name, namespace, containerName });
      }),
      { numRuns: 400 },
    );
  });

  test('quantities: cpu millicores and memory mebibytes', () => {
    const amount = fc.oneof(fc.integer({ min: 0, max: 4000 }), fc.double({ min: -10, max: 1e22, noNaN: false }), fc.constantFrom(NaN, 1e21, -0, 0.5));
    fc.assert(
      fc.property(amount, amount, fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 0, max: 4096 }), (cpuRequest, cpuLimit, memory, extra) => {
        expectProblemOrValidOutput({
          ...validInput,
          cpuMillis: { request: cpuRequest, limit: cpuLimit },
          memoryMebibytes: { request: memory, limit: memory + extra },
        });
      }),
      { numRuns: 400 },
    );
  });
});
