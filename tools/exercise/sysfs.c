// SPDX-License-Identifier: GPL-2.0
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define VFIO_PCI_DRIVER "/sys/bus/pci/drivers/vfio-pci"

bool bdf_valid(const char *bdf)
{
	/* Positions of the separators in "DDDD:BB:DD.F". */
	static const char pattern[] = "xxxx:xx:xx.x";
	size_t i;

	if (strlen(bdf) != sizeof(pattern) - 1)
		return false;
	for (i = 0; pattern[i]; i++) {
		if (pattern[i] == 'x' ? !isxdigit((unsigned char)bdf[i])
				      : bdf[i] != pattern[i])
			return false;
	}
	return true;
}

static int is_bdf_entry(const struct dirent *e)
{
	return bdf_valid(e->d_name);
}

void sysfs_default_bdf(char *out, size_t len)
{
	struct dirent **list;
	int n, i;

	step("find the first device in %s", VFIO_PCI_DRIVER);
	n = scandir(VFIO_PCI_DRIVER, &list, is_bdf_entry, alphasort);
	if (n < 0)
		fail();
	if (n == 0)
		fail_msg("no device is bound to vfio-pci");
	snprintf(out, len, "%s", list[0]->d_name);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void dev_path(char *path, size_t len, const char *bdf, const char *file)
{
	snprintf(path, len, "%s/%s/%s", PCI_DEVICES, bdf, file);
}

int sysfs_iommu_group(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX], *end;
	ssize_t n;
	long id;

	dev_path(path, sizeof(path), bdf, "iommu_group");
	step("readlink %s", path);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		fail();
	target[n] = '\0';
	errno = 0;
	id = strtol(basename(target), &end, 10);
	if (errno || *end || id < 0 || id > INT_MAX)
		fail_msg("unexpected iommu_group link %s", target);
	return (int)id;
}

static int read_word(const char *bdf, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	dev_path(path, sizeof(path), bdf, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	if (close(fd) < 0 || n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int sysfs_runtime_status(const char *bdf, char *buf, size_t len)
{
	return read_word(bdf, "power/runtime_status", buf, len);
}

int sysfs_power_control(const char *bdf, char *buf, size_t len)
{
	return read_word(bdf, "power/control", buf, len);
}

void sysfs_set_power_control(const char *bdf, const char *value)
{
	char path[PATH_MAX];
	size_t n = strlen(value);
	int fd;

	dev_path(path, sizeof(path), bdf, "power/control");
	step("echo %s > %s", value, path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail();
	if (write(fd, value, n) != (ssize_t)n) {
		close(fd);
		fail();
	}
	if (close(fd) < 0)
		fail();
}

static int open_dev_file(const char *bdf, const char *file)
{
	char path[PATH_MAX];
	int fd;

	dev_path(path, sizeof(path), bdf, file);
	step("open %s", path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail();
	return fd;
}

struct cfg_io sysfs_cfg_open(const char *bdf)
{
	struct cfg_io c = {
		.fd = open_dev_file(bdf, "config"),
		.base = 0,
		.via = "sysfs config",
	};

	return c;
}

void sysfs_cfg_close(struct cfg_io *c)
{
	step("close sysfs config");
	if (close(c->fd) < 0)
		fail();
	c->fd = -1;
}

int sysfs_resource_open(const char *bdf, int bar)
{
	char file[16];

	snprintf(file, sizeof(file), "resource%d", bar);
	return open_dev_file(bdf, file);
}

size_t sysfs_resource_size(const char *bdf, int bar)
{
	char path[PATH_MAX], file[16];
	struct stat st;

	snprintf(file, sizeof(file), "resource%d", bar);
	dev_path(path, sizeof(path), bdf, file);
	step("stat %s", path);
	if (stat(path, &st) < 0)
		fail();
	if (st.st_size <= 0)
		fail_msg("BAR%d is not implemented", bar);
	return (size_t)st.st_size;
}
