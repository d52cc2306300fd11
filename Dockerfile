# Leash in a container (docs/deploy.md). Multi-stage: the build stage installs every dependency and compiles the
# server (dist/) and the dashboard (web/dist/); the runtime stage keeps production dependencies only and runs as
# the unprivileged `node` user. Point DATABASE_URL at PostgreSQL to run several of these behind a load balancer.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY web ./web
COPY policies ./policies
COPY data ./data
RUN npm rebuild esbuild && npm run build && npm run build:web && npm prune --omit=dev --ignore-scripts

FROM node:20-slim
ENV NODE_ENV=production \
    LEASH_DATA_DIR=/data \
    PORT=8787
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/policies ./policies
COPY --from=build /app/data/classify ./data/classify
# The built-in planner's intent corpus: it trains on it when first asked.
COPY --from=build /app/data/intents ./data/intents
# The embedded store, or (on PostgreSQL) the key files when their variables are not set, live here.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8787
# Liveness only; a load balancer should route by GET /ready (database, migrations, policy, workers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM (docker stop) finishes requests in flight and hands running jobs back before exiting 0.
STOPSIGNAL SIGTERM
CMD ["node", "bin/leash.js", "start", "--host", "0.0.0.0"]
