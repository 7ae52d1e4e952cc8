// SPDX-License-Identifier: GPL-2.0
#include "kernel/privileges.h"
#include "lib/caps.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int cap_get(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

static int cap_set(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int n = 63;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 63;
		fclose(f);
	}
	return n;
}

/* Bounding set and ambient set down to `keep`; the bounding set needs CAP_SETPCAP, else it stays as given. */
static void limit_inherited(uint64_t keep)
{
	int last = last_cap();

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (int c = 0; c <= last && c < 64; c++)
		if (!(keep & (1ULL << c)))
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
}

int d0_priv_keep_attach_caps(char *err, size_t errlen)
{
	uint64_t eff, prm, keep = (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON) | (1ULL << CAP_SYS_RESOURCE) |
			       (1ULL << CAP_SYS_ADMIN); /* module BTF lookup */
	int rc = cap_get(&eff, &prm);

	if (rc) {
		snprintf(err, errlen, "capget failed: %s", strerror(-rc));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS) failed: %s", strerror(errno));
		return -1;
	}
	limit_inherited(keep);
	rc = cap_set(prm & keep);
	if (rc) {
		snprintf(err, errlen, "capset (keep CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE, CAP_SYS_ADMIN) failed: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int d0_user_lookup(const char *path, const char *user, unsigned int *uid, unsigned int *gid, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct passwd *pw;

	if (!f) {
		snprintf(err, errlen, "user '%s' (privileges.user): cannot read %s: %s", user, path, strerror(errno));
		return -1;
	}
	while ((pw = fgetpwent(f)) && strcmp(pw->pw_name, user))
		;
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	fclose(f);
	if (!pw) {
		snprintf(err, errlen, "user '%s' (privileges.user) is not in %s (users only in LDAP or other NSS "
			 "sources are not looked up: set User= in the unit instead)", user, path);
		return -1;
	}
	return 0;
}

static int switch_user(const char *user, char *err, size_t errlen)
{
	unsigned int uid, gid;
	gid_t g;

	if (d0_user_lookup(D0_PASSWD, user, &uid, &gid, err, errlen))
		return -1;
	g = gid;
	if (setgroups(1, &g) || setgid(gid) || setuid(uid)) {
		snprintf(err, errlen, "cannot switch to user '%s': %s (needs CAP_SETUID and CAP_SETGID; under "
			 "systemd set User= in the unit instead of privileges.user)", user, strerror(errno));
		return -1;
	}
	return 0;
}

int d0_priv_drop_all(const char *user, char *err, size_t errlen)
{
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS) failed: %s", strerror(errno));
		return -1;
	}
	/* the bounding set first: dropping it needs CAP_SETPCAP, gone after capset */
	limit_inherited(0);
	if (user && *user && switch_user(user, err, errlen))
		return -1;
	rc = cap_set(0);
	if (rc) {
		snprintf(err, errlen, "capset (drop every capability) failed: %s", strerror(-rc));
		return -1;
	}
	if (!d0_priv_none_effective()) {
		snprintf(err, errlen, "capabilities still effective after capset");
		return -1;
	}
	return 0;
}

bool d0_priv_none_effective(void)
{
	uint64_t eff = 1, prm = 1;

	return !cap_get(&eff, &prm) && !eff && !prm;
}
