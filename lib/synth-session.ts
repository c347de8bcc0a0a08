import { App, Chart } from 'cdk8s';

/** What the current synth already computed (rendered pods, app-wide checks), by what it is about. */
let session: Map<object, unknown> | undefined;

/**
 * Runs `synth` so that each pod is rendered and checked once, though cdk8s validates the whole app
 * before every chart it writes. Safe because no user code runs inside one synth: nothing can change
 * the tree between the checks and the write, and nothing is kept after it returns. Nested calls
 * share the outer one's results.
 */
export function renderOncePerSynth<T>(synth: () => T): T {
  if (session) return synth();
  session = new Map();
  try {
    return synth();
  } finally {
    session = undefined;
  }
}

/** The current synth's results, or undefined outside a synth (then nothing may be kept). */
export function currentSynth(): Map<object, unknown> | undefined {
  return session;
}

/** `compute()`, once per synth for `key`; every time outside a synth. */
export function oncePerSynth<T>(key: object, compute: () => T): T {
  if (!session) return compute();
  if (!session.has(key)) session.set(key, compute());
  return session.get(key) as T;
}

const RENDERS_ONCE = Symbol.for('cdk8s-multi-container-patterns.renders-once');

/**
 * cdk8s' own entry points (`app.synth()`, `app.synthYaml()`, `chart.toJson()`, which `Testing.synth`
 * calls) each become one synth for `renderOncePerSynth`, so users keep calling what they know.
 */
function renderOnceInCdk8sEntryPoints(): void {
  const entryPoints: [object, string][] = [[App.prototype, 'synth'], [App.prototype, 'synthYaml'], [Chart.prototype, 'toJson']];
  for (const [prototype, name] of entryPoints) {
    const methods = prototype as Record<string, (...args: unknown[]) => unknown>;
    const original = methods[name];
    if ((original as unknown as Record<symbol, boolean>)[RENDERS_ONCE]) continue;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      return renderOncePerSynth(() => original.apply(this, args));
    };
    Object.defineProperty(wrapped, RENDERS_ONCE, { value: true });
    methods[name] = wrapped;
  }
}
renderOnceInCdk8sEntryPoints();
