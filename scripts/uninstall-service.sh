#!/usr/bin/env bash
# Removes what scripts/install-service.sh installed. Keeps the state (/var/lib/vm-messenger: the
# certificate clients have pinned, the token, history and images), the config and the
# vm-messenger account unless --purge is given, so a reinstall pairs with the same clients.
set -euo pipefail

PREFIX=/opt/vm-messenger
UNIT_DEST=/etc/systemd/system/vm-messenger.service
CONFIG_DIR=/etc/vm-messenger
STATE_DIR=/var/lib/vm-messenger
VMCTL=/usr/local/bin/vmctl
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

if command -v systemctl >/dev/null; then
  step "stopping and disabling vm-messenger"
  systemctl disable --now vm-messenger 2>/dev/null || true
fi
rm -f "$UNIT_DEST"
command -v systemctl >/dev/null && systemctl daemon-reload
# Only remove a vmctl that is ours.
if [[ -f "$VMCTL" ]] && grep -q "$PREFIX/control-cli" "$VMCTL"; then rm -f "$VMCTL"; fi
step "removing $PREFIX"
rm -rf "$PREFIX" "$PREFIX.new" "$PREFIX.old"

if (( PURGE )); then
  step "purging $STATE_DIR, $CONFIG_DIR and the $ACCOUNT account"
  rm -rf "$STATE_DIR" "$CONFIG_DIR"
  getent passwd "$ACCOUNT" >/dev/null && userdel "$ACCOUNT"
  getent group "$ACCOUNT" >/dev/null && groupdel "$ACCOUNT"
  echo "vm-messenger is removed, with its state: clients must be paired again after a reinstall."
else
  echo "vm-messenger is removed. Kept: $STATE_DIR (certificate, token, history, images), $CONFIG_DIR and the $ACCOUNT account."
  echo "Remove them too with: sudo $0 --purge"
fi
