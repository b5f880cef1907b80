// Dockerfile and .dockerignore of the new project: multi-stage, production dependencies only, non-root, node as PID 1.

export function dockerfile(): string {
  return `# The operator's image: docker build -t my-operator:0.1.0 .  (needs package-lock.json: run npm install once)
# Build stage: every dependency, then compile src/ to dist/.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and dist/ only.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# V8's young generation capped at 1 MiB per semi-space (a storm of events peaks at about a third less memory for the
# same CPU) and one V8 worker thread (a pod gets a fraction of a core): the Deployment of \`kubeop manifests\` sets
# the same.
ENV NODE_OPTIONS="--max-semi-space-size=1 --v8-pool-size=1"
# The image's "node" user, by number, so Kubernetes can check runAsNonRoot.
USER 1000:1000
# Exec form: node is PID 1 and gets SIGTERM itself (kubeop handles it: running handlers finish, then exit 0).
ENTRYPOINT ["node", "dist/main.js"]
`;
}

export function dockerignore(): string {
  return `node_modules
dist
dist-test
.kubeop
.git
*.log
`;
}

export function gitignore(): string {
  return `node_modules/
dist/
dist-test/
.kubeop/
`;
}
