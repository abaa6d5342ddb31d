# syntax=docker/dockerfile:1
# policy-response container action.
# Base images are pinned by digest; refresh them deliberately (check the new digest, then update both).

FROM mcr.microsoft.com/dotnet/sdk:10.0@sha256:ea8bde36c11b6e7eec2656d0e59101d4462f6bd630730f2c8201ed0572b295d5 AS build
# Native AOT links with clang and needs zlib's headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/PolicyAction/PolicyAction.csproj src/PolicyAction/
RUN dotnet restore src/PolicyAction/PolicyAction.csproj --runtime linux-x64 -p:PublishAot=true
COPY src/ src/
# init writes these workflows; they are embedded in the binary.
COPY workflows/ workflows/
# The release workflow passes the tag's version (2.5.1); `policy-response --version` prints it. Unset: the csproj's.
ARG POLICY_RESPONSE_VERSION=""
RUN dotnet publish src/PolicyAction/PolicyAction.csproj \
      --configuration Release \
      --runtime linux-x64 \
      --no-restore \
      -p:PublishAot=true \
      ${POLICY_RESPONSE_VERSION:+"-p:Version=$POLICY_RESPONSE_VERSION"} \
      --output /out

# Ubuntu 24.04 with the .NET runtime dependencies and coreutils: the configured actions
# (sha256sum, cp, ...) run inside this image, so it keeps a normal userland.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble@sha256:099f6f87ed745377dd27bd722f0d1a352bca71b4fddaabfd75e7c064bcaa82da
LABEL org.opencontainers.image.title="policy-response" \
      org.opencontainers.image.description="Safety-gated automated responses to a policy level" \
      org.opencontainers.image.licenses="MIT"
# One native executable (Native AOT): no .NET runtime in the image, and no JIT at start-up.
COPY --from=build /out/policy-response /usr/local/bin/policy-response
# Container actions run as root: the runner's file-command files (GITHUB_OUTPUT, ...) are
# owned by the runner user and a non-root user in the container cannot write them.
USER root
ENTRYPOINT ["/usr/local/bin/policy-response"]
