# Shared by submit/spark-submit-cce and submit/standalone-cluster (sourced, not run).
#
# Sets cce_root (the project folder) and defines:
#   cce_build      builds with ./mvnw -q -DskipTests package when target/ is missing or older than
#                  src/ or pom.xml (the same rule and build stamp as submit/cce)
#   cce_app_jar    prints the application jar: $CCE_APP_JAR when set, else
#                  target/cce-spark_2.13-<version>-app.jar (the shaded jar of ./mvnw package)
#   cce_java       prints the java command (JAVA_HOME's, else the one on the PATH)
#   cce_jvm_flags  prints Spark's JVM flags for Java 17 (target/classes/cce-spark-jvm.options)
#   cce_classpath  prints the runtime classpath with Spark (target/classpath.txt)
#   cce_conf_value KEY  prints KEY's value in conf/spark-defaults.conf, if set there
#   cce_native_jars     prints the libtorch jar(s) of target/classpath.txt (DJL's
#                  ai.djl.pytorch:pytorch-native-cpu), comma-separated, for spark-submit --jars
#   cce_prepare_spark_home DIR  makes DIR a SPARK_HOME for Workers and executors started from the
#                  project's classpath: DIR/jars/ links every jar of target/classpath.txt (Spark
#                  included), DIR/conf/log4j2.properties links conf/log4j2.properties

cce_root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

cce_app_jar() {
  local jar
  if [ -n "${CCE_APP_JAR:-}" ]; then
    [ -f "$CCE_APP_JAR" ] || { echo "$(basename "$0"): CCE_APP_JAR=$CCE_APP_JAR is not a file" >&2; return 1; }
    readlink -f "$CCE_APP_JAR"
    return 0
  fi
  for jar in "$cce_root"/target/cce-spark_2.13-*-app.jar; do
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

cce_prepare_spark_home() {
  local dir="$1" jar
  rm -rf "$dir"
  mkdir -p "$dir/jars" "$dir/conf"
  # (target/classpath.txt ends without a newline: "|| [ -n ]" keeps its last jar)
  while IFS= read -r jar || [ -n "$jar" ]; do
    case "$jar" in *.jar) ln -s "$jar" "$dir/jars/$(basename "$jar")" ;; esac
  done < <(cce_classpath | tr ':' '\n')
  ln -s "$cce_root/conf/log4j2.properties" "$dir/conf/log4j2.properties"
}
