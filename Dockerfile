# buildduty container image.
#
#   docker build -t buildduty .
#   docker run -it -v buildduty-data:/data buildduty                     # shipped config: console connector
#   docker run -d -v buildduty-data:/data -v "$PWD/my.yml:/app/config/buildduty.yml:ro" -p 8080:8080 buildduty
#
# The bot runs in /app as the non-root user "buildduty". Relative paths in the config resolve against its folder
# (/app/config), and /app/data is a link to the /data volume, so the shipped "journal: ../data/buildduty.db" lands in
# the volume. In a
# config of your own, put the journal under /data (journal: /data/buildduty.db) and make the web page listen on
# 0.0.0.0:8080 to publish it. Pass secrets as environment variables (*_env) or mounted files (*_file).
#
# The heap is bounded to 75% of the container's memory limit (-XX:MaxRAMPercentage=75), and the JIT compiles with C1
# after 1/20 of the usual calls (-XX:CompileThresholdScaling=0.05 -XX:TieredStopAtLevel=1, as ./buildduty does: see
# bench/README.md, IrcRoundTripBench), with the heap and compiled code on transparent huge pages where the host's
# kernel offers them (-XX:+UseTransparentHugePages; a host with them set to never gets one warning line in the
# container's log); JAVA_OPTS comes after them, so `-e JAVA_OPTS=-Xmx192m` (or another percentage) wins. java runs as
# PID 1 (exec), so `docker kill -s HUP` reloads the configuration and `docker stop` shuts the bot down cleanly.
#
# No Docker engine runs in this project's CI: DockerfileReplayIT replays the build stage (its COPY lines into an
# empty folder, its RUN lines there with Maven offline) and checks the files the runtime stage copies out of it.

# ---- Stage 1: build the shaded jar with the project's Maven wrapper ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src

# Poms and the wrapper first: the dependency layer is rebuilt only when a pom changes.
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY bot-core/pom.xml bot-core/
COPY bot-exec/pom.xml bot-exec/
COPY bot-commands/pom.xml bot-commands/
COPY bot-connectors/pom.xml bot-connectors/
COPY bot-app/pom.xml bot-app/
COPY bench/pom.xml bench/
# Every <module> of the parent pom needs its pom here, or Maven stops with "Child module ... does not exist".
# Packaging the sourceless modules downloads exactly the plugins and libraries the real package below uses
# (dependency:go-offline would also fetch plugins the build never runs); their empty jars are then removed.
RUN ./mvnw -B -ntp -DskipTests -Dcheckstyle.skip=true package && rm -rf target */target

# Then everything else (.dockerignore keeps out .git, target/ and data/).
COPY . .
# Tests and style checks run in CI (scripts/test); the image build only packages.
RUN ./mvnw -B -ntp -DskipTests -Dcheckstyle.skip=true package

# ---- Stage 2: the runtime image ----
FROM eclipse-temurin:17-jre
RUN useradd --system --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin buildduty \
    && mkdir -p /app /data \
    && ln -s /data /app/data \
    && chown buildduty:buildduty /data
WORKDIR /app
COPY --from=build /src/bot-app/target/buildduty.jar /app/buildduty.jar
COPY --from=build /src/config/ /app/config/
VOLUME /data
EXPOSE 8080
USER buildduty
# sh only expands JAVA_OPTS (word splitting, no globbing) and execs java; docker run arguments follow the config.
ENTRYPOINT ["/bin/sh", "-c", "set -f; exec java -XX:MaxRAMPercentage=75 -XX:CompileThresholdScaling=0.05 -XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages $JAVA_OPTS -jar /app/buildduty.jar --config /app/config/buildduty.yml \"$@\"", "buildduty"]
