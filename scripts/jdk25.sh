# Sourced by the project's scripts: exports JAVA_HOME to a JDK 25, or fails with a clear message.
jdk_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
find_jdk25() {
    local candidate
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /opt/java/openjdk; do
        if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(jdk_major "$candidate")" = "25" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
if ! JAVA_HOME="$(find_jdk25)"; then
    echo "evaluator: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm/*25*)." >&2
    echo "Install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
    exit 1
fi
export JAVA_HOME
