/**
 * Renders the typed API client (web/src/api-client.gen.ts) from the OpenAPI document: one
 * exported interface per component schema and one async function per operationId, typed
 * with its path and query parameters, body and success answer. Errors throw `ApiError`
 * holding the problem+json. Pure text generation: scripts/gen-api-client.ts writes the file.
 */

interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly description?: string;
}

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, { readonly schema: JsonSchema }> };
  readonly responses: Record<
    string,
    { readonly content?: Record<string, { readonly schema: JsonSchema }> }
  >;
}

export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function scalar(type: string): string {
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'string' || type === 'boolean' || type === 'null') return type;
  if (type === 'array') return 'unknown[]';
  if (type === 'object') return 'Record<string, unknown>';
  return 'unknown';
}

function objectType(schema: JsonSchema, indent: string): string {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const lines = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const doc =
      property.description === undefined
        ? ''
        : `${inner}/** ${property.description.replaceAll('*/', '*\\/')} */\n`;
    const optional = required.has(name) ? '' : '?';
    return `${doc}${inner}${key(name)}${optional}: ${tsType(property, inner)};`;
  });
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    const value = extra === true ? 'unknown' : tsType(extra, inner);
    lines.push(
      `${inner}[key: string]: ${value === 'unknown' || lines.length === 0 ? value : 'unknown'};`,
    );
  }
  return lines.length === 0 ? 'Record<string, unknown>' : `{\n${lines.join('\n')}\n${indent}}`;
}

/** The TypeScript type of a JSON Schema (2020-12, as zod's toJSONSchema writes it). */
export function tsType(schema: JsonSchema, indent = ''): string {
  if (schema.$ref !== undefined) return schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union !== undefined) return union.map((s) => tsType(s, indent)).join(' | ');
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.length === 0) return 'unknown';
  return types
    .map((type) => {
      if (type === 'array') {
        const item = schema.items === undefined ? 'unknown' : tsType(schema.items, indent);
        return /^[A-Za-z0-9_]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
      }
      if (type === 'object') return objectType(schema, indent);
      return scalar(type);
    })
    .join(' | ');
}

const RUNTIME = `/** A failed request: the server's problem+json (RFC 9457), with each bad field. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, problem: Problem | undefined, fallback: string) {
    super(problem?.detail ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export interface ApiClientOptions {
  /** Default: same origin. */
  readonly baseUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

type QueryValue = string | number | boolean | undefined;

async function call(
  method: string,
  path: string,
  query: Readonly<Record<string, QueryValue>> | undefined,
  body: unknown,
  answer: 'json' | 'blob' | 'none',
  options: ApiClientOptions,
): Promise<unknown> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await (options.fetch ?? fetch)(
    \`\${options.baseUrl ?? ''}\${path}\${text === '' ? '' : \`?\${text}\`}\`,
    {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  if (!response.ok) {
    const problem = response.headers.get('content-type')?.includes('json')
      ? ((await response.json()) as Problem)
      : undefined;
    throw new ApiError(response.status, problem, \`\${method} \${path}: HTTP \${response.status}\`);
  }
  if (answer === 'none') return undefined;
  return answer === 'blob' ? response.blob() : response.json();
}
`;

function successOf(operation: Operation): { type: string; answer: 'json' | 'blob' | 'none' } {
  const status = Object.keys(operation.responses).find((s) => s.startsWith('2')) ?? '200';
  const content = operation.responses[status]?.content;
  if (status === '204' || content === undefined) return { type: 'void', answer: 'none' };
  const json = content['application/json'];
  if (json !== undefined) return { type: tsType(json.schema), answer: 'json' };
  return { type: 'Blob', answer: 'blob' };
}

function paramsType(parameters: readonly Parameter[]): string {
  const lines = parameters.map(
    (p) => `${key(p.name)}${p.required ? '' : '?'}: ${tsType(p.schema, '  ')};`,
  );
  return `{ ${lines.join(' ')} }`;
}

function renderOperation(url: string, method: string, operation: Operation): string {
  const parameters = operation.parameters ?? [];
  const path = parameters.filter((p) => p.in === 'path');
  const query = parameters.filter((p) => p.in === 'query');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const fields: string[] = [];
  if (path.length > 0) fields.push(`path: ${paramsType(path)}`);
  if (query.length > 0) {
    const optional = query.every((p) => !p.required) ? '?' : '';
    fields.push(`query${optional}: ${paramsType(query)}`);
  }
  if (bodySchema !== undefined) fields.push(`body: ${tsType(bodySchema, '  ')}`);
  const { type, answer } = successOf(operation);
  const allOptional =
    path.length === 0 && bodySchema === undefined && query.every((p) => !p.required);
  const input =
    fields.length === 0 ? '' : `input: { ${fields.join('; ')} }${allOptional ? ' = {}' : ''}, `;
  const pathText = url.replace(
    /\{([A-Za-z0-9_]+)\}/g,
    (_m, name: string) => `\${encodeURIComponent(input.path.${name})}`,
  );
  const args = [
    `'${method.toUpperCase()}'`,
    path.length === 0 ? `'${url}'` : `\`${pathText}\``,
    query.length > 0 ? 'input.query' : 'undefined',
    bodySchema === undefined ? 'undefined' : 'input.body',
    `'${answer}'`,
    'options',
  ].join(', ');
  const body =
    answer === 'none' ? `  await call(${args});` : `  return (await call(${args})) as ${type};`;
  return `/** ${method.toUpperCase()} ${url}: ${operation.summary.replaceAll('*/', '*\\/')} */
export async function ${operation.operationId}(${input}options: ApiClientOptions = {}): Promise<${type}> {
${body}
}
`;
}

/** The client's source text (unformatted; the writer runs prettier over it). */
export function renderApiClient(doc: OpenApiDocument): string {
  const parts = [
    '// Generated from docs/openapi.json by scripts/gen-api-client.ts: do not edit.',
    '// Regenerate with `REGEN=1 npx vitest run src/adapters/http/api-client-gen.test.ts`.',
    '',
  ];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    if (schema.description !== undefined)
      parts.push(`/** ${schema.description.replaceAll('*/', '*\\/')} */`);
    const type = tsType(schema);
    parts.push(
      type.startsWith('{')
        ? `export interface ${name} ${type}\n`
        : `export type ${name} = ${type};\n`,
    );
  }
  parts.push(RUNTIME);
  for (const [url, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      parts.push(renderOperation(url, method, operation));
    }
  }
  return parts.join('\n');
}
