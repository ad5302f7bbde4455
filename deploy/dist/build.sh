#!/usr/bin/env bash
# Builds the self-contained distribution (mvn -Pdist package runs it after the server jar):
#   build.sh VERSION JAVA_HOME SERVER_TARGET_DIR
# → SERVER_TARGET_DIR/pentecost-VERSION-linux-x64.tar.gz holding pentecost-VERSION/ with a jlink
#   runtime, bin/pentecost, lib/pentecost.jar, config/, systemd/ and README.md.
set -euo pipefail
version="$1"
java_home="$2"
target="$3"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
name="pentecost-$version"
stage="$target/dist/$name"

# The JDK modules the server and its libraries use. A fixed list: jdeps on the shaded jar is slow
# (40 s) and misses what is loaded by reflection or ServiceLoader (EC ciphers for TLS, JMX beans
# for the process metrics, JNDI for DNS). DistributionSmoke (CI) serves from the result.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml
modules+=,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

rm -rf "$target/dist"
mkdir -p "$stage/bin" "$stage/lib" "$stage/config" "$stage/systemd"
"$java_home/bin/jlink" --add-modules "$modules" --output "$stage/runtime" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive
cp "$target/pentecost.jar" "$stage/lib/pentecost.jar"
cp "$here/bin/pentecost" "$stage/bin/pentecost"
chmod 755 "$stage/bin/pentecost"
cp "$here/config/pentecost.yaml" "$stage/config/"
cp "$repo/server/src/main/resources/pentecost-defaults.yaml" "$stage/config/"
cp "$repo/deploy/systemd/pentecost.service" "$stage/systemd/"
sed "s/@VERSION@/$version/g" "$here/README.md" > "$stage/README.md"
tar -C "$target/dist" --owner=0 --group=0 -czf "$target/$name-linux-x64.tar.gz" "$name"
echo "dist: $target/$name-linux-x64.tar.gz ($(du -h "$target/$name-linux-x64.tar.gz" | cut -f1))"
