# pipecut-server image: Debian 12 packages only (STACK.md), two stages.
#   docker build -t pipecut .
#   docker run -p 50051:50051 -p 9464:9464 pipecut
# The server drains on SIGTERM (health NOT_SERVING, running jobs get
# --drain_grace, then final events), so `docker stop -t 30` is clean.

FROM debian:12 AS build
WORKDIR /src
COPY tools/install_deps.sh tools/install_deps.sh
RUN tools/install_deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPIPECUT_BUILD_BENCH=OFF \
 && ninja -C /build pipecut-server pipecut \
 && strip /build/server/pipecut-server /build/client/pipecut

FROM debian:12-slim
# Runtime libraries of the binaries (from ldd + dpkg -S; STACK.md section 1).
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libre2-9 libc-ares2 libssl3 \
      coinor-libcbc3 coinor-libcgl1 coinor-libclp1 coinor-libosi1v5 coinor-libcoinutils3v5 \
      liblapack3 libblas3 libgfortran5 libcivetweb1 \
      libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home pipecut
COPY --from=build /build/server/pipecut-server /build/client/pipecut /usr/local/bin/
USER 10001
EXPOSE 50051 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/pipecut-server"]
CMD ["--listen=0.0.0.0:50051", "--metrics-listen=0.0.0.0:9464"]
