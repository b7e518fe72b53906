# syntax=docker/dockerfile:1
#
# GPU variant of the inference worker: CUDA 12.4 runtime + JRE 17, running the Quarkus fast-jar built with
#   ./mvnw -pl inference-worker -am package -DskipTests -Dpytorch.flavor=cu124
# (DJL 0.33.0 / PyTorch 2.5.1: ai.djl.pytorch:pytorch-native-cu124:2.5.1 is on the classpath instead of the CPU
# natives). See docs/operations.md "Container images".
#
# Two targets:
#   base    CUDA runtime + JRE 17 only; use it as Jib's base image
#           (-Dquarkus.jib.base-jvm-image=<registry>/alveolus/cuda-jre17:12.4.1)
#   worker  (default) base + the application, built from the inference-worker module directory:
#           docker build -f helm/images/inference-worker-gpu.Dockerfile \
#             -t registry.example.com/alveolus/inference-worker:0.1.0-cu124 inference-worker
#
# The chart runs it as uid 185 with a read-only root filesystem: DJL extracts libtorch into /var/cache/djl
# (DJL_CACHE_DIR / ENGINE_CACHE_DIR, an emptyDir) and the JVM writes only to /tmp.

ARG CUDA_IMAGE=nvidia/cuda:12.4.1-runtime-ubuntu22.04

FROM ${CUDA_IMAGE} AS base
ENV LANG=C.UTF-8 \
    JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless ca-certificates libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 185 jboss \
 && useradd --system --uid 185 --gid 185 --home-dir /deployments --shell /usr/sbin/nologin jboss \
 && mkdir -p /deployments /var/cache/djl \
 && chown -R 185:185 /deployments /var/cache/djl
ENV PATH="${JAVA_HOME}/bin:${PATH}"
USER 185
WORKDIR /deployments

FROM base AS worker
# Quarkus fast-jar layout, same as the Jib-built CPU image.
COPY --chown=185:185 target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185:185 target/quarkus-app/*.jar /deployments/
COPY --chown=185:185 target/quarkus-app/app/ /deployments/app/
COPY --chown=185:185 target/quarkus-app/quarkus/ /deployments/quarkus/
ENV DJL_CACHE_DIR=/var/cache/djl \
    OMP_WAIT_POLICY=PASSIVE \
    ENGINE_CACHE_DIR=/var/cache/djl
EXPOSE 8080
USER 185
ENTRYPOINT ["java", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar"]
