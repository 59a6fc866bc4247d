/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileio.h: writing the files pvctl keeps (state under STATE and RUN,
 * logs) so that a crash, a power cut or a hostile file name cannot
 * leave them half written, readable by others or pointing elsewhere.
 */
#ifndef PV_FILEIO_H
#define PV_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "util.h"

/* Writes all of @data to @fd, through short writes and EINTR: 0 or -errno. */
int pv_write_all(int fd, const void *data, size_t len);

/*
 * Replaces @path with @len bytes of @data, as databases do: a fresh
 * temporary file next to it (created exclusively, never through a
 * symbolic link), written in full, given @mode whatever the umask,
 * fsynced, renamed over @path, and the directory fsynced. A reader, or
 * pvctl after a crash, finds the old content or the new, never a mix.
 * On failure the temporary file is gone and @path is as it was.
 */
int pv_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode, struct pv_err *err);

/*
 * Removes the temporary files pv_write_file_atomic left beside @path
 * when its process was killed mid-write. Only for a file one process
 * writes at a time (under a lock): another's write would lose its file.
 */
void pv_remove_stale_temps(const char *path);

/*
 * Opens the log @path for appending (the caller fcloses it), creating
 * it with @mode: a file that exists keeps no permission beyond @mode,
 * whatever the umask. A symbolic link or anything but a regular file at
 * @path is refused. NULL, with @err set, on failure.
 */
FILE *pv_open_log(const char *path, mode_t mode, struct pv_err *err);

#endif
