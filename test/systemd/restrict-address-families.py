#!/usr/bin/python3
"""Runs a command with socket() refused for every address family but the ones named, as systemd's
RestrictAddressFamilies= does: a seccomp filter that answers EAFNOSUPPORT, inherited across exec.

Usage: restrict-address-families.py AF_INET AF_INET6 AF_UNIX -- COMMAND [ARGS...]

Debian's python3-seccomp (libseccomp's own bindings). The rules mirror systemd's
seccomp_restrict_address_families(): families below the lowest or above the highest allowed one
are refused by range, the gaps between them one by one."""
import errno
import os
import socket
import sys

import seccomp


def family(name):
    if name == "AF_NETLINK":
        return 16  # not exported by Python's socket module on every build
    value = getattr(socket, name, None)
    if not isinstance(value, int):
        sys.exit(f"restrict-address-families: unknown address family {name}")
    return int(value)


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    allowed = sorted({family(name) for name in argv[1:split]})
    command = argv[split + 1:]
    if not allowed or not command:
        sys.exit(__doc__)
    refuse = seccomp.ERRNO(errno.EAFNOSUPPORT)
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    f.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.LT, allowed[0]))
    f.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.GT, allowed[-1]))
    for af in range(allowed[0] + 1, allowed[-1]):
        if af not in allowed:
            f.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, af))
    f.load()
    os.execvp(command[0], command)


main(sys.argv)
