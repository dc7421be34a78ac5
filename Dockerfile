ARG BASE_IMAGE=node:20-bookworm-slim
# Kioku's container image, laid out like the official redis image: a non-root `kioku` user,
# /data as volume and working directory, port 6379, an entrypoint that runs `kioku-server` when
# given only options or a .conf file, and protected mode off by default (a container's port is
# published on purpose; see docker/docker-entrypoint.sh).
#
#   docker build -t kioku .
#   docker run -d -p 6379:6379 kioku
#   docker run -d -p 6379:6379 kioku --maxclients 100 --requirepass s3cret
#   docker run -d -p 6379:6379 -v "$PWD/docker/kioku.conf:/usr/local/etc/kioku/kioku.conf:ro" \
#       kioku kioku-server /usr/local/etc/kioku/kioku.conf
#
# BASE_IMAGE stays the first line so that an offline build can substitute a local Node 20 base
# (scripts/docker-smoke.sh); users build with the default.

# ---- build stage: dev dependencies + TypeScript compile ----
FROM ${BASE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# ---- runtime stage: production dependencies, compiled JavaScript, the launcher ----
FROM ${BASE_IMAGE}

# A fixed uid/gid (as the redis image uses 999) so that host-side ownership of /data is predictable.
RUN groupadd -r -g 999 kioku && useradd -r -g kioku -u 999 -d /data -s /usr/sbin/nologin kioku

WORKDIR /usr/local/lib/kioku
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist ./dist
COPY bin ./bin
ENV PATH=/usr/local/lib/kioku/bin:$PATH NODE_ENV=production

COPY docker/docker-entrypoint.sh /usr/local/bin/
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh bin/kioku-server bin/kioku-check-aof \
 && mkdir -p /data /usr/local/etc/kioku \
 && chown kioku:kioku /data
VOLUME /data
WORKDIR /data

ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 6379
CMD ["kioku-server"]
