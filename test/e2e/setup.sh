#!/usr/bin/env bash
# Prepares podman for the e2e tests (as root); safe to run again: every step checks first.
set -euo pipefail

# mmdebstrap builds the stand-ins for the real upstream images (test/e2e/stand-ins.ts).
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v mmdebstrap >/dev/null ||
  ! dpkg -s busybox-static >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y podman runc busybox-static mmdebstrap
fi

# No registry is reachable: build busybox from busybox-static. latest and 1.36 are the tags the
# manifests use (imagePullPolicy Never, set by the harness, only finds local images).
tags=(docker.io/library/busybox:latest docker.io/library/busybox:1.36)
if ! podman image exists "${tags[0]}" || ! podman image exists "${tags[1]}"; then
  root=$(mktemp -d)
  trap 'rm -rf "$root" "$root.tar"' EXIT
  mkdir -p "$root"/{bin,etc,tmp}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -cf "$root.tar" .
  podman import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' "$root.tar" "${tags[0]}"
  podman tag "${tags[0]}" "${tags[1]}"
fi

# On some kernels (this one) crun fails and podman's default ulimits cannot be set ("error setting
# rlimits ... operation not permitted"): use runc without them, only where a container fails to run.
conf=/etc/containers/containers.conf
if ! podman run --rm --network none "${tags[1]}" true 2>/dev/null; then
  [ ! -e "$conf" ] || cp -n "$conf" "$conf.orig"
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' >"$conf"
  podman run --rm --network none "${tags[1]}" true # shows podman's error if that was not enough
fi
