# syntax=docker/dockerfile:1
#
# piapi image: piapi-serve (the entrypoint) and piapi-compile, on a slim Debian runtime.
#   docker build -t piapi .
#   docker run --rm -p 9200:9200 -v "$PWD/table:/app/table:ro" piapi
# The table is read from /app/table/routes.bin; mount the DIRECTORY (not the file) so that a
# new table written with an atomic rename is seen and hot-reloaded.

ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libyaml-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# install -s strips the symbols and DWARF: it halves the binaries (docs/performance.md);
# a crash backtrace then shows addresses instead of function names.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product piapi-serve \
    && swift build -c release --static-swift-stdlib --product piapi-compile \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && install -s -D -m 0755 "$bin/piapi-serve" /out/piapi-serve \
    && install -s -D -m 0755 "$bin/piapi-compile" /out/piapi-compile

FROM debian:bookworm-slim
# ca-certificates: https upstreams are verified against the system roots.
# libyaml-0-2: piapi-compile reads YAML. curl: the HEALTHCHECK below.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libyaml-0-2 curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 piapi \
    && useradd --system --uid 10001 --gid piapi --no-create-home --shell /usr/sbin/nologin piapi \
    && mkdir -p /app/table \
    && chown piapi:piapi /app/table
COPY --from=build /out/piapi-serve /out/piapi-compile /usr/local/bin/
WORKDIR /app
USER 10001:10001
EXPOSE 9200
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9200/healthz"]
ENTRYPOINT ["piapi-serve"]
CMD ["/app/table/routes.bin", "--listen", ":9200"]
