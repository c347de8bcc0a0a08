import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { podTemplateOf, WorkloadJson } from '../../lib/kubernetes/manifest';

/**
 * The Kubernetes versions whose OpenAPI definitions are in schemas/: 1.27 and 1.29 as cdk8s publishes
 * them, 1.37 written by `npm run features` from k8s.io/kubernetes' own swagger.json, the same way.
 */
export type SchemaVersion = '1.27' | '1.29' | '1.37';

type JsonSchema = { [key: string]: unknown };

interface Validators {
  byKind: Map<string, string>;
  ajv: Ajv;
  compiled: Map<string, ValidateFunction>;
}

const cache = new Map<SchemaVersion, Validators>();

/**
 * Rejects fields the schema does not name, as `kubectl apply --validate=strict` does: every object
 * schema that lists its properties and says nothing of others gets additionalProperties false.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: JsonSchema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? mapValues(v as JsonSchema, strict) : strict(v)]));
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

function mapValues(object: JsonSchema, f: (v: unknown) => unknown): JsonSchema {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, f(v)]));
}

function validatorsFor(version: SchemaVersion): Validators {
  let validators = cache.get(version);
  if (!validators) {
    const file = path.join(__dirname, '..', '..', 'schemas', `kubernetes-${version}.json`);
    const { definitions } = JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: Record<string, JsonSchema> };
    const byKind = new Map<string, string>();
    for (const [name, definition] of Object.entries(definitions)) {
      const gvks = (definition['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
      for (const { group, version: v, kind } of gvks) byKind.set(`${group ? `${group}/` : ''}${v}/${kind}`, name);
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'k8s', definitions: mapValues(definitions, strict) });
    validators = { byKind, ajv, compiled: new Map() };
    cache.set(version, validators);
  }
  return validators;
}

/** Problems of one object against the vendored schema of `version`, unknown fields included; empty when valid. */
export function validateObject(object: { apiVersion?: string; kind?: string }, version: SchemaVersion = '1.27'): string[] {
  const { byKind, ajv, compiled } = validatorsFor(version);
  const key = `${object.apiVersion}/${object.kind}`;
  const definition = byKind.get(key);
  if (!definition) return [`no ${key} in the Kubernetes ${version} schema`];
  let validate = compiled.get(definition);
  if (!validate) {
    validate = ajv.compile({ $ref: `k8s#/definitions/${definition}` });
    compiled.set(definition, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
    return `${e.instancePath || '/'} ${e.message}${extra}`;
  });
}

/** Problems of many objects, each prefixed by `kind/name`; empty when all are valid. */
export function validateManifests(objects: { kind?: string; metadata?: { name?: string } }[], version: SchemaVersion = '1.27'): string[] {
  return objects.flatMap((o) => validateObject(o, version).map((p) => `${o.kind}/${o.metadata?.name}: ${p}`));
}

/** The schema objects written for a target minor version are checked against: the newest not newer than it, 1.37 from 1.35 on. */
export function schemaVersionFor(minor: number): SchemaVersion {
  if (minor >= 35) return '1.37';
  return minor >= 29 ? '1.29' : '1.27';
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/**
 * Problems of objects written for a target minor version, against `schemaVersionFor(minor)`'s schema:
 * 1.27 and 1.28 against 1.27, 1.29 to 1.34 against 1.29, 1.35 and later against 1.37. The 1.29 schema
 * lacks the one later field the library writes for 1.34, the pod's `spec.resources`, so below 1.35 it
 * is checked by hand: only requests and limits, only cpu and memory, quantities (the 1.37 schema has
 * the field). preStop `sleep` is already in 1.29.
 */
export function validateForTarget(objects: Record<string, unknown>[], minor: number): string[] {
  const version = schemaVersionFor(minor);
  if (version === '1.37') return validateManifests(objects, version);
  const withoutPodResources = structuredClone(objects) as { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> }[];
  const byHand: string[] = [];
  for (const object of withoutPodResources) {
    // Objects without a pod (a Service, a PersistentVolumeClaim template) have no template: nothing to check.
    const template = object.spec && (podTemplateOf(object as unknown as WorkloadJson) as unknown as { spec?: Record<string, unknown> } | undefined);
    const spec = template?.spec;
    const resources = spec?.resources as Record<string, Record<string, unknown>> | undefined;
    if (!spec || resources === undefined) continue;
    if (minor < 34) byHand.push(`${object.kind}/${object.metadata?.name}: spec.resources needs 1.34`);
    for (const [kind, amounts] of Object.entries(resources)) {
      if (!['requests', 'limits'].includes(kind)) byHand.push(`${object.kind}/${object.metadata?.name}: spec.resources.${kind} is unknown`);
      for (const [resource, value] of Object.entries(amounts)) {
        if (!['cpu', 'memory'].includes(resource) || typeof value !== 'string' || !QUANTITY.test(value)) {
          byHand.push(`${object.kind}/${object.metadata?.name}: spec.resources.${kind}.${resource} is ${String(value)}`);
        }
      }
    }
    delete spec.resources;
  }
  return [...byHand, ...validateManifests(withoutPodResources, version)];
}
