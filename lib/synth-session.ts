import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';

/** One synth: what it already computed (rendered pods, app-wide checks), and whether cdk8s' app-wide passes ran. */
interface SynthSession {
  readonly results: Map<object, unknown>;
  /** Dependencies were resolved and the whole app validated in this synth: each chart only renders. */
  appPrepared: boolean;
}

let session: SynthSession | undefined;

/**
 * Runs `synth` as one synth: each pod is rendered and checked once, and cdk8s' whole-app passes
 * (resolving dependencies, validating every construct) run once, though cdk8s repeats them before
 * every chart it renders. Safe because no user code runs inside one synth: nothing can change the
 * tree between the passes and the last chart, and nothing is kept after it returns. Nested calls
 * join the outer one. `appPrepared`: the caller runs the whole-app passes itself before any chart.
 */
function renderOncePerSynth<T>(appPrepared: boolean, synth: () => T): T {
  if (session) return synth();
  session = { results: new Map(), appPrepared };
  try {
    return synth();
  } finally {
    session = undefined;
  }
}

/** The current synth's results, or undefined outside a synth (then nothing may be kept). */
export function currentSynth(): Map<object, unknown> | undefined {
  return session?.results;
}

/** `compute()`, once per synth for `key`; every time outside a synth. */
export function oncePerSynth<T>(key: object, compute: () => T): T {
  if (!session) return compute();
  if (!session.results.has(key)) session.results.set(key, compute());
  return session.results.get(key) as T;
}

/** A chart's API objects in dependency order, as cdk8s' own chart synth lists them (`chartToKube`). */
function chartObjects(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((construct): construct is ApiObject => construct instanceof ApiObject && Chart.of(construct) === chart);
}

type Method = (this: unknown, ...args: never[]) => unknown;
const INSTALLED = Symbol.for('cdk8s-multi-container-patterns.renders-once');

/** Replaces `owner[name]` with `wrap(original)`, once however many copies of this library are loaded. */
function wrapOnce(owner: object, name: string, wrap: (original: Method) => Method): void {
  const methods = owner as Record<string, Method>;
  const original = methods[name];
  if (typeof original !== 'function' || (original as unknown as Record<symbol, boolean>)[INSTALLED]) return;
  const wrapped = wrap(original);
  Object.defineProperty(wrapped, INSTALLED, { value: true });
  methods[name] = wrapped;
}

let installed = false;

/**
 * Makes cdk8s' own entry points (`app.synth()`, `app.synthYaml()`, `chart.toJson()`, which
 * `Testing.synth` calls) each one synth, so users keep calling what they know. Installed when the
 * first workload gets patterns: an app without them synthesizes exactly as cdk8s alone does.
 * `App._synthChart` is cdk8s' internal chart synth (resolve and validate the whole app, then render
 * the chart); once the passes ran in a synth, a chart only renders. At 10,000 workloads in 20 charts
 * that is 20 of 21 walks over every construct saved, about a tenth of the synth.
 */
export function renderOncePerSynthInCdk8s(): void {
  if (installed) return;
  installed = true;
  // The app's own synths resolve and validate the whole app before their first chart.
  for (const name of ['synth', 'synthYaml']) {
    wrapOnce(App.prototype, name, (original) => function (this: unknown, ...args: never[]) {
      return renderOncePerSynth(true, () => original.apply(this, args));
    });
  }
  wrapOnce(Chart.prototype, 'toJson', (original) => function (this: unknown, ...args: never[]) {
    return renderOncePerSynth(false, () => original.apply(this, args));
  });
  wrapOnce(App, '_synthChart', (original) => function (this: unknown, ...args: never[]) {
    const [chart] = args as unknown as [Chart];
    if (session?.appPrepared) return chartObjects(chart).map((object) => object.toJson());
    const objects = original.apply(this, args);
    if (session) session.appPrepared = true;
    return objects;
  });
}
