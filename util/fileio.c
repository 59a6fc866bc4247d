/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileio.c: state files written atomically and durably, logs opened
 * safely (see fileio.h).
 */
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int pv_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pv_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode, struct pv_err *err)
{
	/*
	 * A name of its own for each writer: two pvctl processes writing
	 * the same file cannot mix their bytes, and whatever sits at a
	 * fixed name (a symbolic link planted there, a file a dead writer
	 * left) is never opened. mkostemp opens with O_CREAT|O_EXCL.
	 */
	char *tmp = pv_asprintf("%s.tmp.XXXXXX", path);
	int fd, rc;

	fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = pv_err_sys(err, -errno, "cannot create a temporary file for %s",
				path);
		free(tmp);
		return rc;
	}
	/* mkostemp made it 0600; fchmod sets @mode exactly, umask or not. */
	if (fchmod(fd, mode) < 0)
		rc = -errno;
	else
		rc = pv_write_all(fd, data, len);
	/* Without fsync, a crash after the rename can leave an empty file. */
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc) {
		pv_err_sys(err, rc, "cannot write %s", tmp);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		rc = pv_err_sys(err, -errno, "cannot rename %s to %s", tmp, path);
		goto fail;
	}
	free(tmp);
	/* The rename itself is only durable once the directory is synced. */
	rc = pv_fsync_parent(path);
	if (rc)
		pv_err_sys(err, rc, "cannot sync the directory of %s", path);
	return rc;
fail:
	unlink(tmp);
	free(tmp);
	return rc;
}

FILE *pv_open_log(const char *path, mode_t mode, struct pv_err *err)
{
	/* O_NONBLOCK: a FIFO with no reader fails at once instead of hanging. */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
		      O_NOCTTY | O_NONBLOCK | O_CLOEXEC, mode);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		if (errno == ELOOP)
			pv_err_set(err, -ELOOP, "%s is a symbolic link: not "
				   "writing a log through it", path);
		else
			pv_err_sys(err, -errno, "cannot open %s", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		pv_err_sys(err, -errno, "cannot open %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pv_err_set(err, -EINVAL, "%s is not a regular file", path);
		goto fail;
	}
	/* The umask may have left more (or an older pvctl did): take it away. */
	if ((st.st_mode & 07777 & ~mode) && fchmod(fd, st.st_mode & 07777 & mode) < 0) {
		pv_err_sys(err, -errno, "cannot set the mode of %s", path);
		goto fail;
	}
	if (fcntl(fd, F_SETFL, O_APPEND) < 0) {
		pv_err_sys(err, -errno, "cannot open %s", path);
		goto fail;
	}
	f = fdopen(fd, "a");
	if (f)
		return f;
	pv_err_sys(err, -errno, "cannot open %s", path);
fail:
	close(fd);
	return NULL;
}

void pv_remove_stale_temps(const char *path)
{
	char *pattern = pv_asprintf("%s.tmp.??????", path);
	glob_t g;
	size_t i;

	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
		globfree(&g);
	}
	free(pattern);
}
