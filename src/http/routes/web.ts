/**
 * The dashboard (web/, React + Vite) served from its build in web/dist: hashed assets with long cache lifetimes,
 * index.html never cached, and any other GET outside the API answered with index.html so the app's own routes
 * (/chat, /approvals, /customers/…) survive a reload. Without a build, those paths answer with a short page saying
 * how to make one. The app talks to the server over the HTTP API only.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { handleNotFound } from '../errors.ts';
import type { TypedApp } from './types.ts';

/** Where `npm run build:web` puts the dashboard. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths the dashboard never answers: the API, MCP, webhooks, the API docs. */
const RESERVED = ['/api', '/mcp', '/webhooks', '/docs', '/openapi.json', '/health'];

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Leash</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Leash</h1>
<p>The dashboard is not built yet. Run <code>npm run build:web</code> (it also runs on <code>npm install</code>), then reload.</p>
<p>The API is up: <a href="/docs">API docs</a>, <a href="/openapi.json">OpenAPI</a>.</p>
</body></html>`;

/** The dashboard as the server serves it. */
export interface WebApp {
  /** Whether web/dist holds a build. */
  built: boolean;
  /** Answers with the app's index.html (or the "not built" page). */
  sendApp(reply: FastifyReply): FastifyReply;
}

function isAppPath(url: string): boolean {
  const path = url.split('?')[0] ?? '/';
  return !RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Registers the static files (when built) and returns how to answer with the app. */
export async function registerWebRoutes(app: TypedApp, webRoot: string | null): Promise<WebApp> {
  const root = webRoot ?? DEFAULT_WEB_ROOT;
  const built = existsSync(`${root.replace(/\/$/, '')}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      // One route per file found at start-up; everything else falls through to the not-found handler below.
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (reply, path) => {
        // Vite names assets by their content hash: a changed file is a new URL, so browsers may keep them.
        const hashed = /[/\\]assets[/\\]/.test(path);
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const sendApp = (reply: FastifyReply) => {
    reply.header('cache-control', 'no-cache');
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  };
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && isAppPath(request.url)) return sendApp(reply);
    return handleNotFound(request, reply);
  });
  return { built, sendApp };
}
