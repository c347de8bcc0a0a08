// The seed's commands, literally, on the demo pod, and what each must show.
import { podSpecOf, poll, Transcript, Workload } from './kube';

const POD = 'multi-container-pod';

export async function demoFailures(t: Transcript, demo: Workload): Promise<string[]> {
  const failures: string[] = [];
  const expectOutput = async (args: string[], wanted: RegExp, what: string, timeoutMs = 90_000) => {
    const seen = await poll(timeoutMs, async () => {
      const r = await t.kubectl(args);
      return r.code === 0 && wanted.test(r.stdout) ? true : undefined;
    });
    if (!seen) failures.push(`kubectl ${args.join(' ')}: ${what}`);
  };

  await expectOutput(['get', 'pod', POD], /multi-container-pod\s+1\/1\s+Running/, 'never showed the pod 1/1 Running');
  await expectOutput(['logs', POD, '-c', 'init-demoapp-container'], /^Initialization complete\.$/m, 'no "Initialization complete."');
  await expectOutput(['logs', POD, '-c', 'demoapp-container'], /^Running the main application\.\.\.$/m, 'no "Running the main application..."');
  // The app runs 10 s and is restarted (restartPolicy Always): exec reaches it while it runs.
  await expectOutput(['exec', POD, '-c', 'demoapp-container', '--', 'sh', '-c', 'echo $DEMO_ENV'], /^dev$/m, 'did not print dev');
  // describe shows both containers with the limits the manifest gives them.
  const spec = podSpecOf(demo);
  const limits = [...spec.initContainers!, ...spec.containers].map((c) =>
    new RegExp(`${c.name}:[\\s\\S]*?Limits:\\s+cpu:\\s+${c.resources!.limits!.cpu}\\s+memory:\\s+${c.resources!.limits!.memory}`));
  const described = await t.kubectl(['describe', 'pod', POD]);
  for (const [i, pattern] of limits.entries()) {
    if (!pattern.test(described.stdout)) failures.push(`kubectl describe pod ${POD}: no limits for ${i ? 'demoapp-container' : 'init-demoapp-container'}`);
  }
  // After its 10 s the app exits 0 and the kubelet restarts it: what the README tells users they will see.
  await expectOutput(['get', 'pod', POD, '-o', 'jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode}'],
    /^[1-9]\d* 0$/, 'the app was not restarted after exiting 0', 60_000);
  const deleted = await t.kubectl(['delete', 'pod', POD]);
  if (deleted.code !== 0 || !/pod "multi-container-pod" deleted/.test(deleted.stdout)) failures.push(`kubectl delete pod ${POD} failed`);
  return failures;
}
