#!/usr/bin/env bash
# Installs the vm-messenger daemon as a systemd service on this VM:
#   /opt/vm-messenger            the daemon, vmctl and their production node_modules (root-owned)
#   /etc/systemd/system/vm-messenger.service
#   /etc/vm-messenger/config.json  (created as {} if absent: the embedded defaults apply)
#   /usr/local/bin/vmctl          a wrapper around /opt/vm-messenger/control-cli/dist/main.js
#   user and group vm-messenger   (system account; group members may use vmctl)
# State (certificate, token, history, images) lives in /var/lib/vm-messenger, created by systemd.
# Re-running it upgrades in place and keeps the state and the config.
set -euo pipefail

PREFIX=/opt/vm-messenger
UNIT_DEST=/etc/systemd/system/vm-messenger.service
CONFIG_DIR=/etc/vm-messenger
VMCTL=/usr/local/bin/vmctl
ACCOUNT=vm-messenger
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<USAGE
Usage: sudo scripts/install-service.sh [--rebuild] [--no-start] [--stage-only DIR]

  --rebuild         build even if daemon/dist and control-cli/dist already exist
  --no-start        install and enable, but do not start (or restart) the service
  --stage-only DIR  only assemble the runtime tree in DIR (no root needed, nothing installed)
USAGE
}

die() { echo "install-service: $*" >&2; exit 1; }
step() { echo "==> $*"; }

REBUILD=0 START=1 STAGE_ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rebuild) REBUILD=1 ;;
    --no-start) START=0 ;;
    --stage-only) STAGE_ONLY="${2:-}"; [[ -n "$STAGE_ONLY" ]] || die "--stage-only needs a directory"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

NODE="$(command -v node || true)"
[[ -n "$NODE" ]] || die "node is not installed (Node.js 20 or newer is required)"
NODE_MAJOR="$("$NODE" -p 'process.versions.node.split(".")[0]')"
(( NODE_MAJOR >= 20 )) || die "Node.js 20 or newer is required (found $("$NODE" --version))"
NODE="$(readlink -f "$NODE")"

if [[ -z "$STAGE_ONLY" ]]; then
  [[ $EUID -eq 0 ]] || die "must run as root: sudo $0"
  command -v systemctl >/dev/null || die "systemctl not found: this script installs a systemd service"
  # systemctl can be installed where systemd is not PID 1 (containers, WSL without systemd): there
  # every systemctl call after the files are copied would fail and leave a half-installed system.
  # /run/systemd/system exists exactly when systemd is running (sd_booted(3)). VMM_INSTALL_ROOT is
  # for tests: it moves the probe, so a test never installs onto the machine it runs on.
  if [[ ! -d "${VMM_INSTALL_ROOT:-}/run/systemd/system" ]]; then
    die "systemd is not running on this machine (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)), so the service cannot be installed; nothing was changed. Run the daemon without systemd instead: npm start (see docs/OPERATING.md)"
  fi
  case "$NODE" in
    /home/*|/root/*|/run/user/*) die "node is at $NODE, under a home directory the service cannot read (ProtectHome=yes); install Node.js system-wide (e.g. from your distribution or NodeSource)" ;;
  esac
fi

# --- build (as the user who owns the checkout, so node_modules and dist stay theirs) ------------
as_owner() {
  local owner
  owner="$(stat -c %U "$REPO")"
  if [[ $EUID -eq 0 && "$owner" != root ]]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}
if (( REBUILD )) || [[ ! -f "$REPO/daemon/dist/main.js" || ! -f "$REPO/control-cli/dist/main.js" ]]; then
  step "building (npm ci, tsc -b protocol daemon control-cli)"
  (cd "$REPO" && as_owner npm ci --no-audit --no-fund && as_owner npx tsc -b protocol daemon control-cli)
else
  step "using the existing build (pass --rebuild to rebuild)"
fi

# --- stage the runtime tree ---------------------------------------------------------------------
STAGE="${STAGE_ONLY:-$(mktemp -d /tmp/vm-messenger-stage.XXXXXX)}"
[[ -n "$STAGE_ONLY" ]] || trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"
step "assembling the runtime in $STAGE"
for part in protocol daemon control-cli; do
  mkdir -p "$STAGE/$part"
  cp "$REPO/$part/package.json" "$STAGE/$part/"
  cp -R "$REPO/$part/dist" "$STAGE/$part/"
done
mkdir -p "$STAGE/docs"
[[ -f "$REPO/docs/OPERATING.md" ]] && cp "$REPO/docs/OPERATING.md" "$STAGE/docs/"
cp "$REPO/daemon/vm-messenger.service" "$STAGE/"
cp "$REPO/package-lock.json" "$STAGE/"
# A root package.json with only the three runtime workspaces (no tray, no dev tools).
"$NODE" -e '
  const fs = require("fs");
  const root = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const out = { name: root.name, version: root.version, private: true, type: "module",
                workspaces: ["protocol", "daemon", "control-cli"], allowScripts: root.allowScripts };
  fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
' "$REPO/package.json" "$STAGE/package.json"
(cd "$STAGE" && npm install --omit=dev --no-audit --no-fund --prefer-offline --ignore-scripts)
# Native addons (better-sqlite3, unix-dgram) were already compiled for this node by the build
# above: reuse those binaries when the versions match instead of compiling again.
version_of() { "$NODE" -p 'require(process.argv[1]).version' "$1/package.json" 2>/dev/null || true; }
while IFS= read -r gyp; do
  addon="$(dirname "$gyp")"
  [[ -f "$addon/package.json" ]] || continue   # e.g. sharp/src: a source fallback, not a package
  name="${addon#"$STAGE/node_modules/"}"
  built="$REPO/node_modules/$name"
  if [[ -d "$built/build" && "$(version_of "$built")" == "$(version_of "$addon")" ]]; then
    cp -R "$built/build" "$addon/"
  else
    step "compiling $name"
    (cd "$STAGE" && npm rebuild "$name" --no-audit --no-fund)
  fi
done < <(find "$STAGE/node_modules" -mindepth 2 -maxdepth 3 -name binding.gyp -not -path '*/node_modules/*/node_modules/*')
rm -f "$STAGE/package-lock.json"
if [[ -n "$STAGE_ONLY" ]]; then
  step "staged in $STAGE (nothing installed)"
  exit 0
fi

# --- account, files, unit -------------------------------------------------------------------------
if ! getent group "$ACCOUNT" >/dev/null; then
  step "creating system group $ACCOUNT"
  groupadd --system "$ACCOUNT"
fi
if ! getent passwd "$ACCOUNT" >/dev/null; then
  step "creating system user $ACCOUNT"
  useradd --system --gid "$ACCOUNT" --home-dir /var/lib/vm-messenger --no-create-home \
    --shell /usr/sbin/nologin --comment "vm-messenger daemon" "$ACCOUNT"
fi

WAS_ACTIVE=0
if systemctl is-active --quiet vm-messenger; then WAS_ACTIVE=1; fi

step "installing to $PREFIX"
rm -rf "$PREFIX.new" "$PREFIX.old"
cp -R "$STAGE" "$PREFIX.new"
chown -R root:root "$PREFIX.new"
chmod -R u=rwX,go=rX "$PREFIX.new"
if [[ -d "$PREFIX" ]]; then mv "$PREFIX" "$PREFIX.old"; fi
mv "$PREFIX.new" "$PREFIX"
rm -rf "$PREFIX.old"

install -d -m 0750 -o root -g "$ACCOUNT" "$CONFIG_DIR"
if [[ ! -f "$CONFIG_DIR/config.json" ]]; then
  step "creating $CONFIG_DIR/config.json (empty: the embedded defaults apply)"
  echo '{}' > "$CONFIG_DIR/config.json"
  chown root:"$ACCOUNT" "$CONFIG_DIR/config.json"
  chmod 0640 "$CONFIG_DIR/config.json"
fi

step "installing $UNIT_DEST"
sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$PREFIX/vm-messenger.service" > "$UNIT_DEST"
chmod 0644 "$UNIT_DEST"

step "installing $VMCTL"
cat > "$VMCTL" <<WRAPPER
#!/bin/sh
# vmctl for the vm-messenger service (installed by scripts/install-service.sh).
exec "$NODE" $PREFIX/control-cli/dist/main.js "\$@"
WRAPPER
chmod 0755 "$VMCTL"

systemctl daemon-reload
systemctl enable vm-messenger >/dev/null
if (( START )); then
  if (( WAS_ACTIVE )); then step "restarting vm-messenger"; systemctl restart vm-messenger
  else step "starting vm-messenger"; systemctl start vm-messenger; fi
  systemctl --no-pager --lines=5 status vm-messenger || true
fi

WHO="${SUDO_USER:-<your-user>}"
cat <<DONE

vm-messenger is installed.
  Let a user run vmctl without sudo:  sudo usermod -aG $ACCOUNT $WHO   (then log out and in again)
  Pair a Windows client:              vmctl pair        (or: sudo vmctl pair)
  Check on it:                        vmctl status; journalctl -u vm-messenger -f
  Configuration:                      $CONFIG_DIR/config.json, then: sudo systemctl restart vm-messenger
  Clients connect to TCP port 12345 by default: open it in the VM's firewall if there is one.
DONE
