# Shared by submit/spark-submit-cce and submit/standalone-cluster (sourced, not run).
#
# Sets cce_root (the project folder) and defines:
#   cce_build      builds with ./mvnw -q -DskipTests package when target/ is missing or older than
#                  src/ or pom.xml (the same rule and build stamp as submit/cce)
#   cce_app_jar    prints the application jar, target/cce-spark-<version>.jar
#   cce_java       prints the java command (JAVA_HOME's, else the one on the PATH)
#   cce_jvm_flags  prints Spark's JVM flags for Java 17 (target/classes/cce-spark-jvm.options)
#   cce_classpath  prints the runtime classpath with Spark (target/classpath.txt)
#   cce_conf_value KEY  prints KEY's value in conf/spark-defaults.conf, if set there
#   cce_native_jars     prints the libtorch jar(s) of target/classpath.txt (DJL's
#                  ai.djl.pytorch:pytorch-native-cpu), comma-separated, for spark-submit --jars

cce_root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

cce_app_jar() {
  local jar
  for jar in "$cce_root"/target/cce-spark-*.jar; do
    case "$jar" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
    [ -f "$jar" ] && printf '%s\n' "$jar"
  done | head -n 1
}

# Maven leaves target/classpath.txt and the JVM options file untouched when their content is
# unchanged, so a stamp written after each successful build tells whether target/ is up to date.
cce_build() {
  local stamp="$cce_root/target/.cce-build-stamp"
  if [ -f "$stamp" ] && [ -n "$(cce_app_jar)" ] && [ -f "$cce_root/target/classpath.txt" ] \
      && [ -f "$cce_root/target/classes/cce-spark-jvm.options" ] \
      && [ -z "$(find "$cce_root/src" "$cce_root/pom.xml" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "$(basename "$0"): building cce-spark (./mvnw -q -DskipTests package) ..." >&2
  mkdir -p "$cce_root/target"
  touch "$stamp.new" # taken before the build, so edits made during it count as newer
  (cd "$cce_root" && ./mvnw -q -DskipTests package) >&2
  mv -f "$stamp.new" "$stamp"
}

cce_java() {
  if [ -n "${JAVA_HOME:-}" ]; then printf '%s\n' "$JAVA_HOME/bin/java"; else printf 'java\n'; fi
}

cce_jvm_flags() {
  cat "$cce_root/target/classes/cce-spark-jvm.options"
}

cce_classpath() {
  cat "$cce_root/target/classpath.txt"
}

cce_conf_value() {
  local key value
  while read -r key value; do
    if [ "$key" = "$1" ]; then
      printf '%s\n' "$value"
      return 0
    fi
  done < "$cce_root/conf/spark-defaults.conf"
  return 1
}

cce_native_jars() {
  tr ':' '\n' < "$cce_root/target/classpath.txt" | grep '/pytorch-native-' | paste -sd, -
}
