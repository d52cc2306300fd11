/**
 * The HTTP server (Fastify): the REST API under /api, the MCP server at /mcp, the OpenAPI document at
 * /openapi.json with interactive docs at /docs, and the Stripe webhook placeholder. A thin surface: every route
 * authenticates, enters the member's org scope (row-level security) and calls operations; no business rule
 * lives here. One error body everywhere: `{ "error": { "code", "message", "requestId" } }`. The dashboard (web/dist)
 * is served at `/`, over this same API.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { newId } from '../domain/ids.ts';
import { databaseCounter, openRateLimitCounter, type RateLimitCounter } from '../limits/rate-limit-counter.ts';
import type { Gate } from '../policy/decide.ts';
import { loadMasterKey, type MasterKey } from '../secrets/secret-box.ts';
import type { Store } from '../store/db.ts';
import { handleError } from './errors.ts';
import { checkHostAndOrigin } from './host-check.ts';
import { refuseBadInput } from './refuse-bad-input.ts';
import { logRequests } from './request-log.ts';
import { registerApprovalRoutes } from './routes/approvals.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerConversationRoutes } from './routes/conversations.ts';
import { registerGateRoutes } from './routes/gate.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerIntegrationRoutes } from './routes/integrations.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerMcpRoute } from './routes/mcp.ts';
import { registerMemberRoutes } from './routes/members.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerPolicyModeRoutes } from './routes/policy-modes.ts';
import { registerTicketRoutes } from './routes/tickets.ts';
import type { TypedApp } from './routes/types.ts';
import { registerWebRoutes } from './routes/web.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { registerOutboundWebhookRoutes } from './routes/webhooks-outbound.ts';

/** Everything a server runs with. */
export interface ServerOptions {
  store: Store;
  gate: Gate;
  /** Signs access tokens (see auth/sessions.ts `loadSigningKey`). */
  signingKey: Uint8Array;
  /** Where people reach the server; magic links point here. */
  publicUrl: string;
  /** Hostnames accepted in Host besides localhost, 127.0.0.1 and [::1]; an Origin must be this server's own. */
  allowedHosts?: string[];
  /** Sends sign-in links; without it, links are written to the log (development only). */
  mailer?: { transport: Transporter; from: string } | null;
  /** Development mode: magic links may be logged when there is no mailer. */
  development: boolean;
  /** Where a logged sign-in link is also written as one plain line for a person (`leash start`'s terminal). */
  printSignInLink?: (line: string) => void;
  /** Requests per minute: sign-in endpoints per client address, writes and /mcp requests per credential. */
  rateLimits?: { signIn?: number; writes?: number; mcp?: number };
  /** Where the rate limits count, shared by every process (limits/): Redis at this URL (LEASH_REDIS_URL), else the store's database. */
  redisUrl?: string | undefined;
  /** A counter built elsewhere (tests); the server does not close it. Takes precedence over `redisUrl`. */
  rateLimitCounter?: RateLimitCounter;
  /** This process is meant to run the background workers (role worker or all): /ready fails while they do not run. */
  runsWorkers?: boolean;
  /** A pino logger, or false for none. */
  logger?: Logger | boolean;
  version: string;
  /** Seals provider keys (Stripe); default: loaded on first use (LEASH_MASTER_KEY or the data directory's key file). */
  masterKey?: MasterKey;
  /** The dashboard's build; default web/dist. A directory without index.html serves the "run npm run build:web" page. */
  webRoot?: string;
}

/** Everything routes need, resolved once. */
export interface ServerDeps extends Required<Pick<ServerOptions, 'store' | 'gate' | 'signingKey' | 'publicUrl'>> {
  mailer: { transport: Transporter; from: string } | null;
  development: boolean;
  printSignInLink: ((line: string) => void) | null;
  rateLimits: { signIn: number; writes: number; mcp: number };
  version: string;
  /** The master key, loaded when a route first needs it. */
  masterKey: () => MasterKey;
  /** Whether /ready expects this process's background workers to run. */
  runsWorkers: boolean;
}

/** Builds the server (not yet listening). */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  let masterKey: MasterKey | undefined;
  const app = Fastify({
    ...(typeof options.logger === 'object'
      ? { loggerInstance: options.logger as FastifyBaseLogger }
      : { logger: options.logger ?? false }),
    genReqId: () => newId('request'),
    // One line per request with the org once known (request-log.ts) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    bodyLimit: 256 * 1024,
    trustProxy: false,
  });
  const deps: ServerDeps = {
    store: options.store,
    gate: options.gate,
    signingKey: options.signingKey,
    publicUrl: options.publicUrl.replace(/\/$/, ''),
    mailer: options.mailer ?? null,
    development: options.development,
    printSignInLink: options.printSignInLink ?? null,
    rateLimits: {
      signIn: options.rateLimits?.signIn ?? 10,
      writes: options.rateLimits?.writes ?? 120,
      mcp: options.rateLimits?.mcp ?? 120,
    },
    version: options.version,
    runsWorkers: options.runsWorkers ?? false,
    masterKey: options.masterKey
      ? () => options.masterKey as MasterKey
      : () => {
          masterKey ??= loadMasterKey();
          return masterKey;
        },
  };
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  // Before any route: bad input (NUL, lone surrogates, deep nesting) is a 400 naming the field, never a 500.
  refuseBadInput(app, deps);
  logRequests(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    checkHostAndOrigin(request, [new URL(deps.publicUrl).hostname, ...(options.allowedHosts ?? [])], deps.publicUrl);
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        // On plain http (localhost) there is nothing to upgrade to.
        upgradeInsecureRequests: deps.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    hsts: deps.publicUrl.startsWith('https:'),
  });
  await app.register(fastifyCookie);
  // Counted in one place for every process (Redis or the database), never in this process's memory.
  const counter =
    options.rateLimitCounter ??
    (options.redisUrl ? await openRateLimitCounter(options.store, options.redisUrl) : databaseCounter(options.store));
  if (!options.rateLimitCounter) app.addHook('onClose', () => counter.close());
  await app.register(fastifyRateLimit, {
    ...counter.pluginOptions,
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'rate_limited',
      message: `too many requests: at most ${context.max} per ${context.after}; try again later`,
    }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Leash API',
        version: options.version,
        description:
          'Billing operations on a short leash. Reads run at once; writes return proposals (server-derived preview and policy decision) that the requester confirms (PASS) or a second member approves (WARN). Authenticate with `Authorization: Bearer` and an access token (magic-link sign-in) or an API key (`lk_…`).',
      },
      servers: [{ url: deps.publicUrl }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'access token or API key' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  const typed = app.withTypeProvider<ZodTypeProvider>() as unknown as TypedApp;
  typed.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerHealthRoute(typed, deps);
  // Also the not-found handler: the API's error body, or the dashboard for its own paths.
  const web = await registerWebRoutes(typed, options.webRoot ?? null);
  registerAuthRoutes(typed, deps, web);
  registerOperationRoutes(typed, deps);
  registerApprovalRoutes(typed, deps);
  registerAuditRoutes(typed, deps);
  registerMemberRoutes(typed, deps);
  registerPolicyModeRoutes(typed, deps);
  registerOutboundWebhookRoutes(typed, deps);
  registerJobRoutes(typed, deps);
  registerTicketRoutes(typed, deps);
  registerConversationRoutes(typed, deps);
  registerIntegrationRoutes(typed, deps);
  registerGateRoutes(typed, deps);
  registerMcpRoute(typed, deps);
  registerWebhookRoutes(typed, deps);
  return app;
}
