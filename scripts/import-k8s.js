// `npm run import`: regenerates imports/k8s.ts from the schema vendored in schemas/, with no network.
// `cdk8s import k8s` downloads the schema; this runs the same code generation on our copy instead
// (only cdk8s-cli's downloadSchema touches the network).
//   node scripts/import-k8s.js [1.27|1.29]   (default 1.27, the version cdk8s-plus-27 targets)
const fs = require('fs');
const path = require('path');

// cdk8s-cli does not export its import internals, so they are loaded by path.
const cliDir = path.join(__dirname, '..', 'node_modules', 'cdk8s-cli');
const cli = (file) => require(path.join(cliDir, 'lib', 'import', file));
const { TypeGenerator } = require(require.resolve('json2jsii', { paths: [cliDir] }));
const { ImportKubernetesApi, findApiObjectDefinitions } = cli('k8s');
const { emitHeader, generateConstruct, getPropsTypeName, getTypeName } = cli('codegen');
const { parseApiTypeName, safeParseJsonSchema } = cli('k8s-util');

const version = process.argv[2] ?? '1.27';
const schemaFile = path.join(__dirname, '..', 'schemas', `kubernetes-${version}.json`);

class ImportVendoredKubernetesApi extends ImportKubernetesApi {
  // What cdk8s-cli's generateTypeScript does, reading the schema from disk.
  async generateTypeScript(code) {
    const schema = safeParseJsonSchema(fs.readFileSync(schemaFile, 'utf8'));
    const topLevelObjects = findApiObjectDefinitions(schema, 'Kube');
    const typeGenerator = new TypeGenerator({
      definitions: schema.definitions,
      renderTypeName: (def) => {
        const parsed = parseApiTypeName(def);
        return parsed.version ? getTypeName(false, parsed.basename, parsed.version.raw) : parsed.basename;
      },
    });
    // Props types are named after the construct (KubeDeploymentProps), as cdk8s import names them.
    for (const o of topLevelObjects) {
      typeGenerator.addDefinition(o.fqn, { $ref: `#/definitions/${getPropsTypeName(o)}` });
    }
    for (const o of topLevelObjects) {
      generateConstruct(typeGenerator, o);
    }
    emitHeader(code, false);
    code.line(typeGenerator.render());
  }
}

new ImportVendoredKubernetesApi({ apiVersion: `${version}.0` })
  .import({ targetLanguage: 'typescript', outdir: path.join(__dirname, '..', 'imports') })
  .then(() => console.log(`imports/k8s.ts generated from ${path.relative(process.cwd(), schemaFile)}`))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
