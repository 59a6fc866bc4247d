/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xlcfg_i.h: internals shared by the files of config/: the syntax tree
 * the xl.cfg reader builds, and helpers used by several files. Not part
 * of the public API (see xlcfg.h).
 */
#ifndef PV_XLCFG_I_H
#define PV_XLCFG_I_H

#include "xlcfg.h"

/* Where something was written: "source:line:col" (1-based, bytes). */
struct cfg_loc {
	const char *source;	/* borrowed: outlives the parse */
	int line;
	int col;
};

enum cfg_value_type {
	CFG_STRING,		/* a quoted string or a bare number */
	CFG_LIST,
};

struct cfg_value {
	enum cfg_value_type type;
	int is_number;		/* CFG_STRING written as a bare number */
	char *str;
	struct cfg_value **items;
	size_t nitems;
	/* Room allocated: bytes of str or entries of items; 0: just enough. */
	size_t cap;
	size_t len;		/* strlen(str), once cap is set */
	struct cfg_loc loc;
};

/* One `key = value` after `=`/`+=` have been applied (last one wins). */
struct cfg_setting {
	char *key;
	struct cfg_value *value;
	struct cfg_loc key_loc;
	int from_override;
	int appended;		/* the last assignment was a `+=` onto a value */
};

/* Settings in the order they were first set, indexed by key. */
struct cfg_settings {
	struct cfg_setting *v;
	size_t n;
	size_t cap;
	size_t *slots;		/* hash index: positions in v, + 1; 0: free */
	size_t nslots;		/* a power of two */
};

void xlcfg_value_free(struct cfg_value *v);
void xlcfg_settings_init(struct cfg_settings *s);
void xlcfg_settings_dispose(struct cfg_settings *s);
struct cfg_setting *xlcfg_settings_find(struct cfg_settings *s,
					const char *key);

/*
 * Parses @text (named @source in messages, which must outlive @out) and
 * merges its assignments into @out. @first_line is the number of the
 * first line (the override index for command-line overrides). Duplicate
 * keys in a file are reported through @warn.
 */
int xlcfg_parse_text(const char *text, const char *source, int first_line,
		     int from_override, struct cfg_settings *out,
		     pv_warn_fn *warn, void *warn_ctx, struct pv_err *err);

/*
 * Reads the text file @path into @text (initialised; NUL-terminated on
 * success). A file holding a NUL byte is refused as "not @what text file".
 */
int xlcfg_read_file(const char *path, const char *what, struct pv_buf *text,
		    struct pv_err *err);

/* "source:line:col" for @loc, allocated. */
char *xlcfg_loc_str(const struct cfg_loc *loc);

#define PV_XLCFG_MAX_MEMORY_MB	(UINT64_C(1) << 27)	/* 128 TiB */
#define PV_XLCFG_MAX_VCPUS	128
/* Xen's FIFO event channel ABI: 2^17 ports. */
#define PV_XLCFG_MAX_EVTCHN	((1u << 17) - 1)

/* State of one pv_xlcfg_parse_*() call. */
struct cfg_ctx {
	struct pv_domain_config *c;
	struct cfg_settings settings;	/* empty when reading JSON */
	pv_warn_fn *warn;
	void *warn_ctx;
	struct pv_err *err;
	const char *source;	/* for messages without a line */
};

struct key_handler {
	const char *key;
	int (*fn)(struct cfg_ctx *x, const struct cfg_setting *s);
};

/* Sets "LOC-OF-V: KEY: message" in x->err; returns -EINVAL. */
int xlcfg_value_error(struct cfg_ctx *x, const struct cfg_setting *s,
		      const struct cfg_value *v, const char *fmt, ...)
	PV_PRINTF(4, 5);
void xlcfg_warn(struct cfg_ctx *x, const struct cfg_loc *loc, const char *key,
		const char *msg);

/* xlcfg.c: the keys pvctl honours, one handler each. */
extern const struct key_handler xlcfg_handlers[];

/*
 * keys.c: dispatch: a key's handler, or the error or warning the table
 * of every other xl.cfg key gives for it.
 */
const struct key_handler *xlcfg_key_handler(const struct key_handler *table,
					    const char *key);
int xlcfg_apply_key(struct cfg_ctx *x, const struct cfg_setting *s);

/*
 * What the disk and vif spec parsers check, on a spec however it was
 * made (read from JSON too): the error says what is wrong.
 */
int xlcfg_disk_check(const struct pv_disk_spec *d, struct pv_err *err);
int xlcfg_vif_check(const struct pv_vif_spec *v, struct pv_err *err);

/* validate.c */
int xlcfg_combine_cmdline(struct cfg_ctx *x);
int xlcfg_validate(struct cfg_ctx *x);

/* Shared by the config file reader and the JSON reader. */
void xlcfg_fill_defaults(struct pv_domain_config *c);
int xlcfg_mac_valid(const char *mac);
int xlcfg_uuid_canon(const char *in, char **out);
void xlcfg_set_bootloader_args_list(struct pv_domain_config *c,
				    char *const *args, size_t n);
void xlcfg_set_bootloader_args_string(struct pv_domain_config *c,
				      const char *s);

/* @s as a single-quoted xl.cfg string, with xl's escapes (xlcfg_write.c). */
void xlcfg_put_quoted(struct pv_buf *b, const char *s);

#endif
