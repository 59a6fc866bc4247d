/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cfg_parse.c: the xl.cfg lexer and parser, building struct cfg_settings.
 *
 * The grammar is xl's (tools/libs/util/libxlu_cfg_y.y):
 *
 *   file      := { stmt }
 *   stmt      := NEWLINE | ';' | IDENT ('=' | '+=') value (NEWLINE | ';' | EOF)
 *   value     := atom | '[' nl* [ items ] ']'
 *   items     := value nl* { ',' nl* value nl* } [ ',' nl* ]
 *   atom      := STRING | NUMBER
 *
 * Strings take single or double quotes with xl's backslash escapes; a
 * comment runs from '#' to the end of the line. Newlines are allowed
 * anywhere inside a list. `+=` appends to the previous value of a key
 * (string to string, list to list), `=` replaces it: the last one wins.
 * Columns count bytes from 1 (a tab is one column). Lists nest at most
 * CFG_MAX_DEPTH deep: the parser recurses, and no key needs more.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_i.h"

#define CFG_MAX_DEPTH	16

enum tok_type {
	T_EOF, T_NL, T_SEMI, T_IDENT, T_NUMBER, T_STRING,
	T_EQ, T_PLUSEQ, T_LBRACK, T_RBRACK, T_COMMA,
};

struct token {
	enum tok_type type;
	char *text;		/* IDENT, NUMBER, STRING (unescaped) */
	struct cfg_loc loc;
};

struct parser {
	const char *p;		/* next byte to lex */
	struct cfg_loc at;	/* location of *p */
	struct token tok;	/* current token */
	const char *key;	/* key of the statement being parsed */
	int depth;		/* of the list being parsed */
	int from_override;
	struct cfg_settings *out;
	pv_warn_fn *warn;
	void *warn_ctx;
	struct pv_err *err;
};

char *xlcfg_loc_str(const struct cfg_loc *loc)
{
	return pv_asprintf("%s:%d:%d", loc->source, loc->line, loc->col);
}

static int syntax_error(struct parser *ps, const struct cfg_loc *loc,
			const char *what)
{
	if (ps->key)
		return pv_err_set(ps->err, -EINVAL, "%s:%d:%d: %s: %s",
				  loc->source, loc->line, loc->col, ps->key,
				  what);
	return pv_err_set(ps->err, -EINVAL, "%s:%d:%d: %s", loc->source,
			  loc->line, loc->col, what);
}

static void advance(struct parser *ps, size_t n)
{
	while (n--) {
		if (*ps->p == '\n') {
			ps->at.line++;
			ps->at.col = 1;
		} else {
			ps->at.col++;
		}
		ps->p++;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decodes the escape after a backslash at ps->p; appends it to @b. */
static int lex_escape(struct parser *ps, struct pv_buf *b)
{
	static const char from[] = "\"'\\abfnrtv", to[] = "\"'\\\a\b\f\n\r\t\v";
	struct cfg_loc bs = ps->at;
	const char *e;
	char c = ps->p[1];
	int v = 0, i;

	if (!c || c == '\n')
		return syntax_error(ps, &ps->tok.loc, "unterminated quoted string");
	advance(ps, 2);
	if (c && (e = strchr(from, c))) {
		pv_buf_add(b, &to[e - from], 1);
		return 0;
	}
	if (c == 'x') {
		if (hexval((unsigned char)ps->p[0]) < 0 ||
		    hexval((unsigned char)ps->p[1]) < 0)
			return syntax_error(ps, &bs,
				"\\x must be followed by two hex digits");
		v = hexval((unsigned char)ps->p[0]) * 16 +
		    hexval((unsigned char)ps->p[1]);
		advance(ps, 2);
	} else if (c >= '0' && c <= '7') {
		v = c - '0';
		for (i = 0; i < 2 && *ps->p >= '0' && *ps->p <= '7'; i++) {
			v = v * 8 + (*ps->p - '0');
			advance(ps, 1);
		}
		if (v > 255)
			return syntax_error(ps, &bs, "octal escape out of range");
	} else {
		return syntax_error(ps, &bs,
			"invalid escape after backslash in quoted string");
	}
	if (v == 0)
		return syntax_error(ps, &bs, "NUL character in quoted string");
	c = (char)v;
	pv_buf_add(b, &c, 1);
	return 0;
}

static int lex_string(struct parser *ps)
{
	char quote = *ps->p;
	struct pv_buf b;
	int rc;

	pv_buf_init(&b);
	advance(ps, 1);
	while (*ps->p != quote) {
		if (!*ps->p || *ps->p == '\n') {
			pv_buf_dispose(&b);
			return syntax_error(ps, &ps->tok.loc,
					    "unterminated quoted string");
		}
		if (*ps->p == '\\') {
			rc = lex_escape(ps, &b);
			if (rc) {
				pv_buf_dispose(&b);
				return rc;
			}
			continue;
		}
		pv_buf_add(&b, ps->p, 1);
		advance(ps, 1);
	}
	advance(ps, 1);
	ps->tok.type = T_STRING;
	ps->tok.text = pv_buf_detach(&b);
	return 0;
}

static int lex_word(struct parser *ps)
{
	const char *s = ps->p;
	size_t n = 0;
	int number = isdigit((unsigned char)*s);

	/* Numbers may carry letters ("0x400", "512M"): the key decides. */
	while (isalnum((unsigned char)s[n]) || s[n] == '_' ||
	       (number && s[n] == '.'))
		n++;
	ps->tok.type = number ? T_NUMBER : T_IDENT;
	ps->tok.text = pv_strndup(s, n);
	advance(ps, n);
	return 0;
}

static int next(struct parser *ps)
{
	static const char punct[] = "=[],;\n";
	static const enum tok_type ptype[] = {
		T_EQ, T_LBRACK, T_RBRACK, T_COMMA, T_SEMI, T_NL,
	};
	const char *pc;
	char msg[64];

	free(ps->tok.text);
	ps->tok.text = NULL;
	for (;;) {
		while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r')
			advance(ps, 1);
		if (*ps->p != '#')
			break;
		while (*ps->p && *ps->p != '\n')
			advance(ps, 1);
	}
	ps->tok.loc = ps->at;
	if (!*ps->p) {
		ps->tok.type = T_EOF;
		return 0;
	}
	if (*ps->p == '"' || *ps->p == '\'')
		return lex_string(ps);
	if (isalnum((unsigned char)*ps->p) || *ps->p == '_')
		return lex_word(ps);
	if (ps->p[0] == '+' && ps->p[1] == '=') {
		ps->tok.type = T_PLUSEQ;
		advance(ps, 2);
		return 0;
	}
	pc = strchr(punct, *ps->p);
	if (pc) {
		ps->tok.type = ptype[pc - punct];
		advance(ps, 1);
		return 0;
	}
	if (isprint((unsigned char)*ps->p))
		snprintf(msg, sizeof(msg), "unexpected character '%c'", *ps->p);
	else
		snprintf(msg, sizeof(msg), "unexpected byte 0x%02x",
			 (unsigned char)*ps->p);
	return syntax_error(ps, &ps->at, msg);
}

void xlcfg_value_free(struct cfg_value *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nitems; i++)
		xlcfg_value_free(v->items[i]);
	free(v->items);
	free(v->str);
	free(v);
}

/* Room for @n more items in @list, doubling: `+=` a line is linear. */
static void list_reserve(struct cfg_value *list, size_t n)
{
	if (list->nitems + n <= list->cap)
		return;
	list->cap = pv_max_u64(2 * list->cap, list->nitems + n);
	list->items = pv_realloc(list->items, list->cap * sizeof(*list->items));
}

static void list_append(struct cfg_value *list, struct cfg_value *item)
{
	list_reserve(list, 1);
	list->items[list->nitems++] = item;
}

static int skip_newlines(struct parser *ps)
{
	int rc = 0;

	while (!rc && ps->tok.type == T_NL)
		rc = next(ps);
	return rc;
}

static int parse_value(struct parser *ps, struct cfg_value **out);

/* After '[': items separated by ',', a trailing ',' allowed. */
static int parse_list(struct parser *ps, struct cfg_value *list)
{
	struct cfg_value *item;
	char msg[48];
	int rc;

	if (ps->depth == CFG_MAX_DEPTH) {
		snprintf(msg, sizeof(msg), "lists nested more than %d deep",
			 CFG_MAX_DEPTH);
		return syntax_error(ps, &ps->tok.loc, msg);
	}
	rc = next(ps);
	if (!rc)
		rc = skip_newlines(ps);
	while (!rc && ps->tok.type != T_RBRACK) {
		ps->depth++;
		rc = parse_value(ps, &item);
		ps->depth--;
		if (rc)
			return rc;
		list_append(list, item);
		rc = skip_newlines(ps);
		if (rc || ps->tok.type == T_RBRACK)
			break;
		if (ps->tok.type == T_EOF)
			return syntax_error(ps, &ps->tok.loc,
				"unexpected end of file in a list (missing ']'?)");
		if (ps->tok.type != T_COMMA)
			return syntax_error(ps, &ps->tok.loc,
				"expected ',' or ']' in list");
		rc = next(ps);
		if (!rc)
			rc = skip_newlines(ps);
	}
	return rc ? rc : next(ps);
}

static int bare_word(struct parser *ps)
{
	char *msg = pv_asprintf("bare word '%s' is not a value; quote strings, "
				"as in \"%s\"", ps->tok.text, ps->tok.text);
	int rc = syntax_error(ps, &ps->tok.loc, msg);

	free(msg);
	return rc;
}

static int parse_value(struct parser *ps, struct cfg_value **out)
{
	struct cfg_value *v = pv_calloc(1, sizeof(*v));
	int rc;

	v->loc = ps->tok.loc;
	switch (ps->tok.type) {
	case T_STRING:
	case T_NUMBER:
		v->type = CFG_STRING;
		v->is_number = ps->tok.type == T_NUMBER;
		v->str = ps->tok.text;
		ps->tok.text = NULL;
		rc = next(ps);
		break;
	case T_LBRACK:
		v->type = CFG_LIST;
		rc = parse_list(ps, v);
		break;
	case T_EOF:
		rc = syntax_error(ps, &ps->tok.loc,
				  "unexpected end of file, expected a value");
		break;
	case T_IDENT:
		rc = bare_word(ps);
		break;
	default:
		rc = syntax_error(ps, &ps->tok.loc,
			"expected a value (a number, a quoted string or a [list])");
		break;
	}
	if (rc) {
		xlcfg_value_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void xlcfg_settings_init(struct cfg_settings *s)
{
	s->v = NULL;
	s->n = s->cap = 0;
	s->slots = NULL;
	s->nslots = 0;
}

void xlcfg_settings_dispose(struct cfg_settings *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].key);
		xlcfg_value_free(s->v[i].value);
	}
	free(s->v);
	free(s->slots);
	xlcfg_settings_init(s);
}

/* The slot of @key in the index: its entry's, or the empty one to use. */
static size_t *slot_of(const struct cfg_settings *s, const char *key)
{
	size_t mask = s->nslots - 1;
	size_t i = (size_t)pv_hash64(key, strlen(key)) & mask;

	while (s->slots[i] && strcmp(s->v[s->slots[i] - 1].key, key))
		i = (i + 1) & mask;
	return &s->slots[i];
}

struct cfg_setting *xlcfg_settings_find(struct cfg_settings *s,
					const char *key)
{
	size_t *slot;

	if (!s->n)
		return NULL;
	slot = slot_of(s, key);
	return *slot ? &s->v[*slot - 1] : NULL;
}

/*
 * Adds a setting for @key (taken), not yet present. The index is an
 * open-addressed hash table of positions + 1, at most half full, so a
 * file of many keys reads in linear time.
 */
static struct cfg_setting *settings_add(struct cfg_settings *s, char *key)
{
	struct cfg_setting *set;
	size_t i;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = pv_realloc(s->v, s->cap * sizeof(*s->v));
	}
	set = &s->v[s->n++];
	set->key = key;
	set->value = NULL;
	if (2 * s->n > s->nslots) {
		free(s->slots);
		s->nslots = s->nslots ? 2 * s->nslots : 64;
		s->slots = pv_calloc(s->nslots, sizeof(*s->slots));
		for (i = 0; i < s->n; i++)
			*slot_of(s, s->v[i].key) = i + 1;
	} else {
		*slot_of(s, key) = s->n;
	}
	return set;
}

/* Appends @add to the string @v, doubling its buffer. */
static void str_append(struct cfg_value *v, const char *add)
{
	size_t n = strlen(add);

	if (!v->cap) {
		v->len = strlen(v->str);
		v->cap = v->len + 1;
	}
	if (v->len + n + 1 > v->cap) {
		v->cap = pv_max_u64(2 * v->cap, v->len + n + 1);
		v->str = pv_realloc(v->str, v->cap);
	}
	memcpy(v->str + v->len, add, n + 1);
	v->len += n;
}

/*
 * `key += value`: @add's contents go after @old's, in place (so many
 * `+=` stay linear); @old then stands where @add was written. Frees @add.
 */
static int concat(struct parser *ps, struct cfg_value *old,
		  struct cfg_value *add)
{
	int rc = 0;

	if (old->type != add->type) {
		rc = syntax_error(ps, &add->loc,
			"'+=' cannot add a list to a string or a string to a list");
	} else if (add->type == CFG_STRING) {
		str_append(old, add->str);
		old->is_number = add->is_number;
	} else if (add->nitems) {
		list_reserve(old, add->nitems);
		memcpy(old->items + old->nitems, add->items,
		       add->nitems * sizeof(*add->items));
		old->nitems += add->nitems;
		add->nitems = 0;
	}
	if (!rc)
		old->loc = add->loc;
	xlcfg_value_free(add);
	return rc;
}

static void warn_duplicate(struct parser *ps, const struct cfg_setting *old,
			   const struct cfg_loc *loc)
{
	char *where, *msg;

	if (!ps->warn || ps->from_override || old->from_override)
		return;
	where = xlcfg_loc_str(loc);
	msg = pv_asprintf("set again (first set at line %d); the last value wins",
			  old->key_loc.line);
	ps->warn(ps->warn_ctx, where, old->key, msg);
	free(msg);
	free(where);
}

static int store(struct parser *ps, char *key, const struct cfg_loc *key_loc,
		 int append, struct cfg_value *v)
{
	struct cfg_setting *s = xlcfg_settings_find(ps->out, key);
	int existed = s != NULL, rc;

	if (s && append) {
		rc = concat(ps, s->value, v);
		free(key);
		if (rc)
			return rc;
	} else if (s) {
		warn_duplicate(ps, s, key_loc);
		free(key);
		xlcfg_value_free(s->value);
		s->value = v;
	} else {
		s = settings_add(ps->out, key);
		s->value = v;
	}
	s->key_loc = *key_loc;
	s->from_override = ps->from_override;
	s->appended = append && existed;
	return 0;
}

static int parse_assignment(struct parser *ps)
{
	struct cfg_loc key_loc = ps->tok.loc;
	char *key = ps->tok.text;
	struct cfg_value *v = NULL;
	int append, rc;

	ps->tok.text = NULL;
	ps->key = key;
	rc = next(ps);
	if (!rc && ps->tok.type != T_EQ && ps->tok.type != T_PLUSEQ)
		rc = syntax_error(ps, &ps->tok.loc, "expected '=' after the key");
	append = ps->tok.type == T_PLUSEQ;
	if (!rc)
		rc = next(ps);
	if (!rc)
		rc = parse_value(ps, &v);
	if (!rc && ps->tok.type != T_NL && ps->tok.type != T_SEMI &&
	    ps->tok.type != T_EOF) {
		rc = syntax_error(ps, &ps->tok.loc,
			"expected the end of the line after the value");
		xlcfg_value_free(v);
	}
	if (rc) {
		free(key);
		return rc;
	}
	rc = store(ps, key, &key_loc, append, v);
	ps->key = NULL;
	return rc;
}

int xlcfg_parse_text(const char *text, const char *source, int first_line,
		     int from_override, struct cfg_settings *out,
		     pv_warn_fn *warn, void *warn_ctx, struct pv_err *err)
{
	struct parser ps = {
		.p = text, .at = { source, first_line, 1 },
		.from_override = from_override, .out = out,
		.warn = warn, .warn_ctx = warn_ctx, .err = err,
	};
	int rc;

	rc = next(&ps);
	while (!rc && ps.tok.type != T_EOF) {
		switch (ps.tok.type) {
		case T_NL:
		case T_SEMI:
			rc = next(&ps);
			break;
		case T_IDENT:
			rc = parse_assignment(&ps);
			if (!rc && ps.tok.type != T_EOF)
				rc = next(&ps);
			break;
		case T_NUMBER:
		case T_STRING:
			rc = syntax_error(&ps, &ps.tok.loc,
				"expected a key (a name starting with a letter)");
			break;
		default:
			rc = syntax_error(&ps, &ps.tok.loc,
				"expected a 'key = value' setting");
			break;
		}
	}
	free(ps.tok.text);
	return rc;
}
