/**
 * Fuzz over every HTTP route the server registers (read from fastify's route table, not listed by hand), signed in
 * as the owner so requests reach the handlers: NUL and lone surrogates in every documented body field, query
 * parameter and path parameter, wrong types, huge strings and numbers, prototype keys, 50,000-deep nesting.
 * Zero 5xx, no internal detail in any answer, no effect on the store, Object.prototype untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  deeplyNested,
  effectsBetween,
  hostileBodies,
  hostileValues,
  INTERNAL_MARKERS,
  type JsonSchema,
  type KnownIds,
  snapshotStore,
} from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

interface Route {
  method: string;
  url: string;
}

/** Every method and path in fastify's route table (printRoutes without common prefixes, children appended). */
function routesOf(server: TestServer): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const level = (match[1]?.length ?? 0) / 4;
    stack.length = level;
    const url = `${stack[level - 1] ?? ''}${match[2]}`;
    stack.push(url);
    for (const method of (match[3] ?? '').split(', ').filter(Boolean))
      if (method !== 'HEAD') routes.push({ method, url });
  }
  return routes;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const PARAM_VALUES = [
  'apr_x%00y',
  '%ED%A0%80',
  '__proto__',
  'constructor',
  '18446744073709551616',
  '-0',
  'a'.repeat(5_000),
  '..%2F..%2Fetc%2Fpasswd',
];
const QUERY_VALUES = [
  '%00',
  '%ED%A0%80',
  'x'.repeat(10_000),
  '1e308',
  '-0',
  'NaN',
  '18446744073709551616',
  '-200000-01-01T00%3A00%3A00Z',
];

describe(`HTTP fuzz over every route (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let key = '';
  let ids: KnownIds;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, { rateLimits: { signIn: 1e6, writes: 1e6, mcp: 1e6 } });
    key = await server.apiKey(OWNER);
    const { customer, charge } = await fixture.paidCharge(5_000, 'usd', 'Fuzz Target');
    ids = { customerId: customer.id, invoiceId: charge.invoiceId as string, chargeId: charge.id };
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  it('answers every hostile input with a 4xx or a normal answer, never a 5xx, an internal detail or an effect', async () => {
    const routes = routesOf(server);
    const urls = new Set(routes.map((route) => `${route.method} ${route.url}`));
    // The table is read, not hand-listed: it has the API, MCP, webhooks, docs and every operation.
    for (const expected of ['POST /mcp', 'POST /webhooks/stripe/:orgId', 'PATCH /api/members/:email', 'GET /health'])
      expect(urls).toContain(expected);
    expect(routes.filter((route) => route.url.startsWith('/api/operations/')).length).toBeGreaterThan(50);
    const openApi = server.app.swagger() as unknown as { paths: Record<string, Record<string, OpenApiOperation>> };

    const requests: { method: string; path: string; body?: string }[] = [];
    for (const route of routes) {
      const template = route.url.replaceAll('*', 'x');
      const params = [...template.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
      const withParams = (values: Record<string, string>) =>
        template.replace(/:(\w+)/g, (_whole, name: string) => values[name] ?? 'x_benign');
      const path = withParams({});
      const documented = openApi.paths[template.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      for (const param of params)
        for (const value of PARAM_VALUES) requests.push({ method: route.method, path: withParams({ [param]: value }) });
      const queryNames = (documented?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const name of queryNames)
        for (const value of QUERY_VALUES) requests.push({ method: route.method, path: `${path}?${name}=${value}` });
      for (const query of ['__proto__=%00&constructor=x&constructor=y', '__proto__[polluted]=1&prototype=1'])
        requests.push({ method: route.method, path: `${path}?${query}` });
      if (route.method === 'GET') continue;

      const schema = documented?.requestBody?.content?.['application/json']?.schema;
      const base = baseInput(schema, ids);
      for (const body of hostileBodies(base)) requests.push({ method: route.method, path, body });
      requests.push({ method: route.method, path, body: deeplyNested(50_000) });
      requests.push({ method: route.method, path, body: `{"a":${'{"a":'.repeat(200)}1${'}'.repeat(201)}` });
      requests.push({ method: route.method, path, body: JSON.stringify({ ...base, huge: 'x'.repeat(300_000) }) });
      // Each field: NUL, a lone surrogate and two wrong or odd values, rotated so every kind is sent.
      for (const [index, [name, property]] of Object.entries(schema?.properties ?? {}).entries())
        for (const value of hostileValues(property, 2, index))
          requests.push({ method: route.method, path, body: JSON.stringify({ ...base, [name]: value }) });
      // A NUL written as JSON's own escape, and a lone surrogate escape, in the raw text.
      const first = Object.keys(schema?.properties ?? { name: {} })[0] ?? 'name';
      requests.push({
        method: route.method,
        path,
        body: JSON.stringify(base).replace(/}$/, `,"${first}":"a\\u0000"}`),
      });
      requests.push({ method: route.method, path, body: JSON.stringify(base).replace(/}$/, `,"${first}":"\\udfff"}`) });
    }
    // A few 10 MB bodies: refused at the size limit, not read into memory whole.
    for (const path of ['/api/operations/search_customers', '/api/conversations', '/mcp'])
      requests.push({ method: 'POST', path, body: JSON.stringify({ query: 'x'.repeat(10_000_000) }) });

    const before = await snapshotStore(fixture.store);
    const failures: string[] = [];
    let ran = 0;
    const send = async (request: (typeof requests)[number]) => {
      const response = await fetch(`${server.url}${request.path}`, {
        method: request.method,
        redirect: 'manual',
        headers: {
          authorization: `Bearer ${key}`,
          ...(request.body !== undefined
            ? { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
            : {}),
        },
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      const text = await response.text();
      ran += 1;
      const label = `${request.method} ${request.path.slice(0, 120)} ${request.body?.slice(0, 80) ?? ''}`;
      if (response.status >= 500) failures.push(`${response.status} ${label}: ${text.slice(0, 200)}`);
      // Files served as they are (the dashboard, the API docs' scripts) are not answers to check for leaks.
      const isJson = (response.headers.get('content-type') ?? '').includes('json');
      if ((isJson || response.status >= 400) && INTERNAL_MARKERS.test(text))
        failures.push(`leak ${label}: ${text.match(INTERNAL_MARKERS)?.[0]} in ${text.slice(0, 200)}`);
    };
    for (let start = 0; start < requests.length; start += 8)
      await Promise.all(requests.slice(start, start + 8).map(send));
    const after = await snapshotStore(fixture.store);

    console.info(`HTTP fuzz (${testStoreKind}): ${ran} inputs over ${routes.length} routes`);
    expect(failures).toEqual([]);
    expect(effectsBetween(before, after)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ran).toBe(requests.length);
  }, 600_000);
});
