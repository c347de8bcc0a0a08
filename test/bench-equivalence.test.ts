import { parseAllDocuments } from 'yaml';
import { benchApp } from '../scripts/bench';

/** The objects in an app's YAML, as the Kubernetes API would read them (key order does not matter). */
function objectsOf(caseName: string, count: number): unknown[] {
  return parseAllDocuments(benchApp(caseName, count).synthYaml()).map((doc) => doc.toJSON());
}

describe('npm run bench', () => {
  test('the raw cdk8s-plus-27 case builds the same objects as our constructs (20 Deployments)', () => {
    const ours = objectsOf('ours', 20);
    expect(ours).toHaveLength(20);
    expect(objectsOf('raw cdk8s-plus-27', 20)).toStrictEqual(ours);
  });
});
