import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import type { StubCall } from './http.js';

/** The vendored subset of GitHub's OpenAPI description (see openapi/SOURCE.md); `src/` and `dist/` both sit one level below it. */
const SUBSET_URL = new URL('../openapi/api.github.com.subset.json', import.meta.url);
const DOC_ID = 'github';

type Json = Record<string, any>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal path segments: the most specific template wins (`/issues/comments` over `/issues/{issue_number}`). */
  literals: number;
  pathNames: string[];
  checkParams: ValidateFunction;
  known: Set<string>;
  checkBody: ValidateFunction | undefined;
  bodyRequired: boolean;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Rewrites the description's local references (`#/components/…`) so they resolve inside the registered document. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${DOC_ID}${v}` : rebase(v)]));
}

function resolveRef(doc: Json, value: Json): Json {
  if (typeof value.$ref !== 'string') return value;
  return value.$ref
    .slice(2)
    .split('/')
    .reduce((node: any, part: string) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc) as Json;
}

/** `/repos/{owner}/{repo}/contents/{path}` → a pattern; a trailing `{path}` may hold slashes or be empty (the root listing). */
function templatePattern(template: string): { pattern: RegExp; names: string[]; literals: number } {
  const names: string[] = [];
  let literals = 0;
  const parts = template.split('/').slice(1);
  const source = parts
    .map((part, i) => {
      const m = part.match(/^\{(.+)\}$/);
      if (!m) {
        literals++;
        return `/${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      }
      names.push(m[1]!);
      return m[1] === 'path' && i === parts.length - 1 ? '(?:/(.*))?' : '/([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`), names, literals };
}

function compileOperations(doc: Json, ajvParams: Ajv, ajvBody: Ajv): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      if (method === 'parameters') continue;
      const params = [...((item as Json).parameters ?? []), ...((op as Json).parameters ?? [])].map((p: Json) => resolveRef(doc, p) as Parameter);
      const checked = params.filter((p) => p.in === 'query' || p.in === 'path');
      const schema = {
        type: 'object',
        properties: Object.fromEntries(checked.map((p) => [p.name, rebase(p.schema ?? {})])),
        required: checked.filter((p) => p.required).map((p) => p.name),
        additionalProperties: false,
      };
      const body = (op as Json).requestBody ? resolveRef(doc, (op as Json).requestBody) : undefined;
      const bodySchema = body?.content?.['application/json']?.schema;
      const { pattern, names, literals } = templatePattern(template);
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern,
        literals,
        pathNames: names,
        checkParams: ajvParams.compile(schema),
        known: new Set(checked.filter((p) => p.in === 'query').map((p) => p.name)),
        checkBody: bodySchema ? ajvBody.compile(rebase(bodySchema) as Json) : undefined,
        bodyRequired: body?.required === true,
      });
    }
  }
  return operations.sort((a, b) => b.literals - a.literals);
}

function newAjv(coerce: boolean, doc: Json): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce, logger: false, validateSchema: false });
  ajv.addFormat('date-time', (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addSchema(doc, DOC_ID);
  return ajv;
}

/**
 * Builds the stub's request check from the vendored subset of GitHub's OpenAPI description: the method and path must
 * be a described operation, query parameters must be described for it and well-typed (path parameters too), the
 * required ones present, and a JSON body must satisfy the operation's request body schema. Returns the reason a
 * request violates the description, or undefined.
 *
 * @example
 * const check = createOpenApiCheck();
 * check({ method: 'GET', path: '/repos/o/r/pulls', query: new URLSearchParams('per_page=abc'), body: undefined });
 * // → 'GET /repos/{owner}/{repo}/pulls: query/per_page must be integer'
 */
export function createOpenApiCheck(doc: Json = JSON.parse(readFileSync(SUBSET_URL, 'utf8')) as Json): (call: StubCall) => string | undefined {
  const operations = compileOperations(doc, newAjv(true, doc), newAjv(false, doc));
  return (call) => {
    const candidates = operations.filter((o) => o.pattern.test(call.path));
    const op = candidates.find((o) => o.method === call.method);
    if (!op) {
      return candidates.length > 0
        ? `${call.method} is not an operation on ${candidates[0]!.template}`
        : `${call.method} ${call.path} is not an operation GitHub's description has (or the stub's subset keeps)`;
    }
    const values: Record<string, unknown> = {};
    const groups = call.path.match(op.pattern)!.slice(1);
    op.pathNames.forEach((name, i) => (values[name] = decodeURIComponent(groups[i] ?? '')));
    for (const [name, value] of call.query) {
      if (!op.known.has(name)) return `${op.method} ${op.template}: the query parameter "${name}" is not described`;
      values[name] = value;
    }
    if (!op.checkParams(values)) return `${op.method} ${op.template}: ${op.checkParams.errors?.map((e) => `${e.instancePath.slice(1) || 'parameters'} ${e.message}`).join('; ')}`;
    if (call.body === undefined) return op.bodyRequired ? `${op.method} ${op.template}: a JSON body is required` : undefined;
    if (!op.checkBody) return `${op.method} ${op.template}: takes no JSON body`;
    if (!op.checkBody(call.body)) return `${op.method} ${op.template}: body ${op.checkBody.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`;
    return undefined;
  };
}
