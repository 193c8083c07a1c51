# Shared by the Java consumer tests (tests/consumers/modular, tests/consumers/shaded): builds the
# library jar and installs it into the local Maven repository under a version of its own, so that a
# consumer project resolves it the way a user's project would. Source after scripts/lib/common.sh.
CONSUMER_TEST_VERSION=0-consumer-test

# library_jar_installed: prints the path of the freshly built library jar.
library_jar_installed() {
    need_packages maven openjdk-17-jdk-headless >&2
    local home; home=$(jdk17_home) || return 1
    (cd "$REPO_ROOT" && JAVA_HOME=$home mvn -B -ntp -q -DskipTests package >&2) || die "the library jar did not build"
    local jar; jar=$(ls "$REPO_ROOT"/target/reloaded-memory-buffers-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
    [ -f "$jar" ] || die "no library jar in target/"
    JAVA_HOME=$home mvn -B -ntp -q install:install-file -Dfile="$jar" -DgroupId=reloaded.memory \
        -DartifactId=reloaded-memory-buffers -Dversion=$CONSUMER_TEST_VERSION -Dpackaging=jar >&2 \
        || die "could not install $jar into the local Maven repository"
    echo "$jar"
}
