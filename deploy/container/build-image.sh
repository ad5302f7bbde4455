#!/usr/bin/env bash
# Builds Pentecost's container image without a Docker daemon, from the distribution archive and
# Debian packages (what this machine reaches):
#   deploy/container/build-image.sh server/target/pentecost-VERSION-linux-x64.tar.gz OUT_DIR
# → OUT_DIR/pentecost-VERSION-image.tar      docker-archive: `docker load -i` / `podman load -i`
#   OUT_DIR/pentecost-VERSION-oci.tar        the same image as an OCI archive
#   OUT_DIR/oci/                             the OCI image layout (tag VERSION)
#
# The root file system is "distroless": no shell, no package manager, only what the jlink runtime
# links against (libc6, libgcc-s1, libstdc++6, zlib1g, from `apt-get download`), the CA bundle
# (ca-certificates), a passwd/group entry for the user pentecost (uid 10001), /tmp, and the
# distribution in /opt/pentecost. umoci makes the OCI image, skopeo the archives.
# Needs: apt-get, dpkg-deb, umoci, skopeo (Debian packages umoci and skopeo), root.
set -euo pipefail
tarball="$(readlink -f "$1")"
out="$(mkdir -p "$2" && cd "$2" && pwd)"
file="$(basename "$tarball")"
version="${file#pentecost-}"
version="${version%-linux-x64.tar.gz}"
uid=10001
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs" "$work/debs"

packages=(libc6 libgcc-s1 libstdc++6 zlib1g ca-certificates)
if ! (cd "$work/debs" && apt-get download -q "${packages[@]}" >/dev/null 2>&1); then
  apt-get update -qq
  (cd "$work/debs" && apt-get download -q "${packages[@]}" >/dev/null)
fi
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$rootfs"
done
rm -rf "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/locale \
  "$rootfs"/usr/share/lintian "$rootfs"/usr/share/info

# What ca-certificates' postinst (update-ca-certificates) would make: one bundle of every CA.
mkdir -p "$rootfs/etc/ssl/certs"
find "$rootfs/usr/share/ca-certificates" -name '*.crt' -print0 | sort -z | xargs -0 cat \
  > "$rootfs/etc/ssl/certs/ca-certificates.crt"

cat > "$rootfs/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
pentecost:x:$uid:$uid:Pentecost:/var/lib/pentecost:/usr/sbin/nologin
PASSWD
cat > "$rootfs/etc/group" <<GROUP
root:x:0:
nogroup:x:65534:
pentecost:x:$uid:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
mkdir -p "$rootfs/tmp" "$rootfs/var/lib/pentecost" "$rootfs/opt/pentecost"
chmod 1777 "$rootfs/tmp"
chown "$uid:$uid" "$rootfs/var/lib/pentecost"
tar -xzf "$tarball" -C "$rootfs/opt/pentecost" --strip-components=1 --no-same-owner

rm -rf "$out/oci"
umoci init --layout "$out/oci"
umoci new --image "$out/oci:$version"
umoci unpack --image "$out/oci:$version" "$work/bundle" >/dev/null
rm -rf "$work/bundle/rootfs"
mv "$rootfs" "$work/bundle/rootfs"
umoci repack --image "$out/oci:$version" "$work/bundle"
# No shell in the image: the entry point is the runtime itself (JVM options: JAVA_TOOL_OPTIONS).
umoci config --image "$out/oci:$version" \
  --author "Pentecost" \
  --config.user "$uid:$uid" \
  --config.workingdir /var/lib/pentecost \
  --config.entrypoint /opt/pentecost/runtime/bin/java \
  --config.entrypoint -XX:+ExitOnOutOfMemoryError \
  --config.entrypoint -jar \
  --config.entrypoint /opt/pentecost/lib/pentecost.jar \
  --config.cmd serve \
  --config.env PATH=/opt/pentecost/runtime/bin:/usr/bin:/bin \
  --config.env PENTECOST_SERVER_DATA_DIR=/var/lib/pentecost \
  --config.env PENTECOST_SERVER_ADMIN_PORT=9090 \
  --config.exposedports 8080/tcp \
  --config.exposedports 9090/tcp \
  --config.volume /var/lib/pentecost \
  --config.label "org.opencontainers.image.title=pentecost" \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label "org.opencontainers.image.description=Live multilingual audio broadcast sessions"
umoci gc --layout "$out/oci"

rm -f "$out/pentecost-$version-image.tar" "$out/pentecost-$version-oci.tar"
skopeo copy -q "oci:$out/oci:$version" "docker-archive:$out/pentecost-$version-image.tar:pentecost:$version"
skopeo copy -q "oci:$out/oci:$version" "oci-archive:$out/pentecost-$version-oci.tar:$version"
echo "image: $out/pentecost-$version-image.tar ($(du -h "$out/pentecost-$version-image.tar" | cut -f1)), tag pentecost:$version"
