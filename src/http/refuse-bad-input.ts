/**
 * Bad input is refused before any route runs: a JSON body nested deeper than {@link MAX_NESTING} is never parsed
 * (the raw text is scanned first; fastify's own parser, secure-json-parse, still refuses `__proto__` and
 * `constructor.prototype`), and a NUL or lone surrogate anywhere in the body, query or path parameters is a 400
 * naming the field. A refusal by a signed-in caller is audited (`input.refused`); an anonymous one is only refused.
 * /mcp bodies are JSON-RPC: the MCP server checks tool arguments itself and answers in the protocol.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLeashError } from '../domain/errors.ts';
import {
  findUnsafeInput,
  type InputRefusal,
  jsonNestedDeeperThan,
  MAX_NESTING,
  refusedInputError,
  tooDeepRefusal,
} from '../domain/input-guard.ts';
import { recordRefusedInput } from '../surfaces/refused-input.ts';
import { asCaller } from './guard.ts';
import type { ServerDeps } from './server.ts';

/** Bodies refused while parsing, kept until the hook that audits them. */
const refusedBodies = new WeakMap<FastifyRequest, InputRefusal>();

function isMcp(request: FastifyRequest): boolean {
  return request.routeOptions.url === '/mcp';
}

/** The first problem in the request's path parameters, query or body. */
function findRefusal(request: FastifyRequest): InputRefusal | null {
  return (
    refusedBodies.get(request) ??
    findUnsafeInput(request.params, 'params') ??
    findUnsafeInput(request.query, 'query') ??
    (isMcp(request) ? null : findUnsafeInput(request.body, 'body'))
  );
}

/** Audits a refusal when the caller is signed in; an anonymous or unknown caller is only refused. */
async function auditRefusal(deps: ServerDeps, request: FastifyRequest, refusal: InputRefusal): Promise<void> {
  const route = `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
  const operation = /^\/api\/operations\/([a-z_]+)$/.exec(request.routeOptions.url ?? '')?.[1];
  // The gate's routes are called with gate-only keys, which every other route refuses: audit those on the gate.
  const gate = (request.routeOptions.url ?? '').startsWith('/api/gate/');
  try {
    await asCaller(
      deps,
      request,
      ({ context }) => recordRefusedInput(context, refusal, { route, ...(operation ? { operation } : {}) }),
      gate ? 'gate' : isMcp(request) ? 'mcp' : 'http',
      { forGate: gate },
    );
  } catch (error) {
    if (!isLeashError(error, 'unauthenticated')) request.log.error({ err: error }, 'refused input not audited');
  }
}

/** Installs the JSON body parser with its depth check and the hook that refuses (and audits) bad input. */
export function refuseBadInput(app: FastifyInstance, deps: ServerDeps): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonNestedDeeperThan(String(body), MAX_NESTING)) {
      refusedBodies.set(request, tooDeepRefusal('body'));
      done(null, undefined);
      return;
    }
    parseJson(request, String(body), done);
  });
  app.addHook('preValidation', async (request) => {
    const refusal = findRefusal(request);
    if (!refusal) return;
    await auditRefusal(deps, request, refusal);
    throw refusedInputError(refusal);
  });
}
