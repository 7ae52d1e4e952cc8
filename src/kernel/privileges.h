/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege for the daemon. Loading and attaching needs CAP_BPF and
 * CAP_PERFMON, CAP_SYS_RESOURCE for the memlock limit on kernels before
 * 5.11, and CAP_SYS_ADMIN: libbpf finds vfio_pci_core's BTF by walking BTF
 * objects (BPF_BTF_GET_NEXT_ID, BPF_BTF_GET_FD_BY_ID), which the kernel
 * allows only with CAP_SYS_ADMIN; without it every program fails with EPERM
 * ("failed to iterate BTF objects", seen on 7.2). Once every hook is
 * attached, nothing is needed: the ring buffer and the maps are read through
 * file descriptors already open. So the daemon keeps exactly those four
 * while a hook still waits for its module (vfio-pci loading after the
 * daemon), and drops every capability, in every set, once nothing waits.
 */
#ifndef D0AUDIT_PRIVILEGES_H
#define D0AUDIT_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

/* Keep only CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE and CAP_SYS_ADMIN (those held) for a later attach. */
int d0_priv_keep_attach_caps(char *err, size_t errlen);
/*
 * Switch to `user` (if non-empty: supplementary groups, gid, uid), then
 * drop every capability (effective, permitted, inheritable, ambient; the
 * bounding set too when CAP_SETPCAP allows) and set no_new_privs.
 * Returns 0, or -1 with err saying what failed.
 */
int d0_priv_drop_all(const char *user, char *err, size_t errlen);
/*
 * The uid and gid of `user` from the passwd file at `path` (D0_PASSWD), read directly
 * with fgetpwent: no NSS, so the static binary finds users too (getpwnam there would
 * need libnss at run time). 0, or -1 with err saying why.
 */
#define D0_PASSWD "/etc/passwd"
int d0_user_lookup(const char *path, const char *user, unsigned int *uid, unsigned int *gid, char *err, size_t errlen);
/* CapEff of this process is zero (what the VM test checks from outside). */
bool d0_priv_none_effective(void);

#endif
