import { withSharedShapes } from '../../lib/kubernetes/manifest';

describe('withSharedShapes', () => {
  test('rebuilds plain objects and arrays into equal new ones, keys in the same order', () => {
    const manifest = { kind: 'Deployment', spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', resources: { limits: { cpu: '100m' } } }] } } }, empty: undefined };
    const rebuilt = withSharedShapes(manifest);
    expect(rebuilt).toStrictEqual(manifest);
    expect(Object.keys(rebuilt)).toEqual(['kind', 'spec', 'empty']);
    expect(rebuilt.spec).not.toBe(manifest.spec);
    expect(rebuilt.spec.template.spec.containers).not.toBe(manifest.spec.template.spec.containers);
    expect(rebuilt.spec.template.spec.containers[0].resources).not.toBe(manifest.spec.template.spec.containers[0].resources);
  });

  test('keeps values that are not plain objects as they are', () => {
    const when = new Date(0);
    const nullPrototype = Object.assign(Object.create(null), { a: 1 });
    const rebuilt = withSharedShapes({ when, nullPrototype, text: 'x', count: 1, flag: false, nothing: null });
    expect(rebuilt.when).toBe(when);
    expect(rebuilt.nullPrototype).toBe(nullPrototype);
    expect(rebuilt).toEqual({ when, nullPrototype, text: 'x', count: 1, flag: false, nothing: null });
  });
});
