# Multi-stage build running the same steps as scripts/setup.sh and scripts/test.sh's release build.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm python3-pip && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Tools first, so they stay cached while the code changes.
COPY Cargo.toml Cargo.lock package.json package-lock.json ./
COPY scripts/setup.sh scripts/setup.sh
RUN scripts/setup.sh
COPY . .
RUN PATH="$PWD/node_modules/.bin:$PATH" cargo leptos build --release

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app tally && mkdir -p /app/data && chown tally /app/data
WORKDIR /app
COPY --from=build /src/target/release/tally /app/tally
COPY --from=build /src/target/site /app/site
COPY --from=build /src/data/models /app/models
USER tally
ENV LEPTOS_OUTPUT_NAME=tally LEPTOS_SITE_ROOT=/app/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 DATA_DIR=/app/data RUST_LOG=info LOG_FORMAT=json \
    LOCAL_MODEL_PATH=/app/models/SmolLM2-135M-Instruct.Q4_1.gguf
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3000"]
CMD ["/app/tally"]
