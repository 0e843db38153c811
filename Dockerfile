# syntax=docker/dockerfile:1
# briefbot: a static binary alone on a distroless base, run as non-root.
#   docker build -t briefbot .
#   docker run -p 8080:8080 -v briefbot-data:/data --env-file briefbot.env briefbot
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/briefbot ./cmd/briefbot
# The data directory, owned by the image's non-root user (65532), so that
# a new volume mounted there is writable.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/briefbot /briefbot
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
# The SQLite database (the default store) lives on this volume; with
# DATABASE_URL=postgres://... it stays empty.
VOLUME ["/data"]
ENV DATABASE_URL=/data/briefbot.db \
    BRIEFBOT_HTTP_ADDR=:8080 \
    BRIEFBOT_LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
# Distroless has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/briefbot", "healthcheck"]
# SIGTERM starts the graceful shutdown (BRIEFBOT_SHUTDOWN_TIMEOUT, 20s by
# default): give the container longer than that to stop (docker stop -t 30,
# stop_grace_period in compose, terminationGracePeriodSeconds in Kubernetes).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/briefbot"]
CMD ["serve"]
