#!/usr/bin/env bash
# Removes what scripts/install-service.sh installed. Keeps the state (/var/lib/vm-messenger: the
# certificate clients have pinned, the token, history and images), the config and the
# vm-messenger account unless --purge is given, so a reinstall pairs with the same clients.
set -euo pipefail

# VMM_INSTALL_ROOT is for tests only: act on a tree under that directory, never on this machine.
ROOT="${VMM_INSTALL_ROOT:-}"
PREFIX=$ROOT/opt/vm-messenger
UNIT_DEST=$ROOT/etc/systemd/system/vm-messenger.service
CONFIG_DIR=$ROOT/etc/vm-messenger
STATE_DIR=$ROOT/var/lib/vm-messenger
VMCTL=$ROOT/usr/local/bin/vmctl
ACCOUNT=vm-messenger

die() { echo "uninstall-service: $*" >&2; exit 1; }
step() { echo "==> $*"; }

PURGE=0
case "${1:-}" in
  "") ;;
  --purge) PURGE=1 ;;
  -h|--help) echo "Usage: sudo scripts/uninstall-service.sh [--purge]"; exit 0 ;;
  *) echo "Usage: sudo scripts/uninstall-service.sh [--purge]" >&2; exit 2 ;;
esac
[[ $EUID -eq 0 ]] || die "must run as root: sudo $0${1:+ $1}"

# Uninstalling must always finish: without a running systemd (systemctl present but PID 1 another
# init) there is no service to stop, only files to remove.
systemd_running() { [[ -z "$ROOT" && -d /run/systemd/system ]] && command -v systemctl >/dev/null; }
if systemd_running; then
  step "stopping and disabling vm-messenger"
  systemctl disable --now vm-messenger 2>/dev/null || true
else
  step "systemd is not running here: no service to stop, removing the files only"
fi
rm -f "$UNIT_DEST"
if systemd_running; then systemctl daemon-reload || echo "uninstall-service: systemctl daemon-reload failed; run it once systemd is up" >&2; fi
# Only remove a vmctl that is ours.
if [[ -f "$VMCTL" ]] && grep -q "$PREFIX/control-cli" "$VMCTL"; then rm -f "$VMCTL"; fi
step "removing $PREFIX"
rm -rf "$PREFIX" "$PREFIX.new" "$PREFIX.old"

if (( PURGE )); then
  step "purging $STATE_DIR, $CONFIG_DIR and the $ACCOUNT account"
  rm -rf "$STATE_DIR" "$CONFIG_DIR"
  if [[ -z "$ROOT" ]]; then
    if getent passwd "$ACCOUNT" >/dev/null; then userdel "$ACCOUNT" || true; fi
    if getent group "$ACCOUNT" >/dev/null; then groupdel "$ACCOUNT" || true; fi
  fi
  echo "vm-messenger is removed, with its state: clients must be paired again after a reinstall."
else
  echo "vm-messenger is removed. Kept: $STATE_DIR (certificate, token, history, images), $CONFIG_DIR and the $ACCOUNT account."
  echo "Remove them too with: sudo $0 --purge"
fi
