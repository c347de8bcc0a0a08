import { Construct, IConstruct } from 'constructs';

/**
 * State the library keeps on a construct of the user's (a chart's target, a scope's rule levels): a
 * child construct of a fixed id that holds it, so it lives and goes with the construct, and shows in
 * the construct tree, rather than in a module-level map. It renders nothing.
 */
class HeldState<T> extends Construct {
  constructor(scope: IConstruct, id: string, public readonly state: T) {
    super(scope as Construct, id);
  }
}

/** The state of kind `id` held on `scope`, if any. */
export function heldOn<T>(scope: IConstruct, id: string): T | undefined {
  const child = scope.node.tryFindChild(id);
  return child instanceof HeldState ? (child.state as T) : undefined;
}

/** The state of kind `id` held on `scope`, created with `create` on first use. */
export function holdOn<T>(scope: IConstruct, id: string, create: () => T): T {
  return heldOn<T>(scope, id) ?? new HeldState(scope, id, create()).state;
}
