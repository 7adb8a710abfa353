# The boxoffice image used by docker-compose.yml (production layout). Not built on the project's own
# machines, which have no Docker engine: scripts/run and scripts/test are what runs there.
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends libmongoc-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.resolved is not committed; when present it pins the same versions as the machine it came from.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
# The manifest names the test targets too, so their folders must exist; only the executable is built.
COPY Sources Sources
COPY Tests Tests
RUN swift build -c release --product boxoffice --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/boxoffice" /usr/local/bin/boxoffice

FROM debian:bookworm-slim
# libmongoc/libbson are linked dynamically (system library); curl is for the health checks.
RUN apt-get update && apt-get install -y --no-install-recommends libmongoc-1.0-0 libbson-1.0-0 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* && useradd --system boxoffice
COPY --from=build /usr/local/bin/boxoffice /usr/local/bin/boxoffice
USER boxoffice
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
ENTRYPOINT ["boxoffice"]
CMD ["serve"]
