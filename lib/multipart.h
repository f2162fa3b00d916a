/*
 * multipart.h: a streaming multipart/form-data parser (RFC 7578, RFC 2046).
 *
 * Push model: the caller feeds the body in chunks of any size, from one byte
 * to the whole body, and the parser calls back as parts begin, as their data
 * goes by, as they end, and once when the body is complete.  A part's data is
 * handed on as it arrives, in pieces; the parser never holds a part (a file
 * part included) in memory.  What it keeps is bounded by the limits: one
 * header block, the names seen (for the duplicate check), a delimiter.
 *
 * What the parser accepts, and why:
 * - The boundary parameter quoted or not; 1 to 70 characters of RFC 2046's
 *   bchars, not ending in a space.  Anything else is refused before a byte of
 *   the body is read.
 * - A preamble (up to limits.max_preamble bytes) and an epilogue (any length:
 *   the caller's body limit bounds it) are skipped.  The first delimiter may
 *   open the body without a CRLF before it, as every client sends it.
 * - Transport padding (spaces and tabs) after a boundary, as RFC 2046 allows.
 * - CRLF only.  Every client tested (curl -F, Python requests, Node's fetch
 *   with FormData, Chromium) sends CRLF; a bare LF ending a delimiter or a
 *   part header line is refused (HARK_MP_E_BARE_LF) rather than guessed at,
 *   because parsers that disagree about where a part ends are how filters
 *   are bypassed.  Inside part data, LF and CR are data.
 * - "CRLF--boundary" followed by anything but "-", space, tab or CR is part
 *   data (as Go's mime/multipart reads it); followed by one of those it is a
 *   delimiter, and the rest of its line must then be right.
 * - A body that is only the close-delimiter is a form with no parts (what a
 *   browser sends for an empty FormData).
 *
 * Part names and filenames: name comes from Content-Disposition's name
 * parameter; filename from filename* (RFC 5987 ext-value, UTF-8 or
 * ISO-8859-1, decoded to UTF-8) when present, else from filename.  A quoted
 * value takes \" and \\ as escapes and keeps any other backslash, which reads
 * both what curl escapes and what browsers send raw.  Browsers percent-encode
 * '"', CR and LF in names ("%22"): that text is passed on as it is.
 * FILENAMES ARE NEVER TO BE USED FOR PATHS: a client chooses them freely
 * ("../../etc/passwd" is a valid filename here).  They are exposed for
 * logging and metadata only; store files under names the server makes.
 */
#ifndef HARK_MULTIPART_H
#define HARK_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 2046: a boundary is 1 to 70 characters. */
#define HARK_MP_BOUNDARY_MAX	70

/* Each fault its own code, so a caller can answer it and a test assert it. */
enum hark_mp_code {
	HARK_MP_OK = 0,
	HARK_MP_E_NOT_MULTIPART,	/* Content-Type is not multipart/form-data */
	HARK_MP_E_NO_BOUNDARY,		/* no boundary parameter */
	HARK_MP_E_BAD_BOUNDARY,		/* empty, over 70, bad characters, twice */
	HARK_MP_E_PREAMBLE,		/* preamble over limits.max_preamble */
	HARK_MP_E_NO_DELIMITER,		/* the body never has a boundary line */
	HARK_MP_E_TRUNCATED,		/* the body ends before the close-delimiter */
	HARK_MP_E_BAD_DELIMITER,	/* a boundary line with junk after it */
	HARK_MP_E_BARE_LF,		/* LF without CR ending a line */
	HARK_MP_E_AFTER_CLOSE,		/* junk on the close-delimiter's line */
	HARK_MP_E_TOO_MANY_PARTS,	/* more than limits.max_parts */
	HARK_MP_E_HEADER_LINE,		/* a part header line over the limit */
	HARK_MP_E_HEADER_BLOCK,		/* a part's header block over the limit */
	HARK_MP_E_BAD_HEADER,		/* not "Name: value", folded, CTL, twice */
	HARK_MP_E_DISPOSITION,		/* malformed Content-Disposition */
	HARK_MP_E_NO_NAME,		/* no Content-Disposition, or no name */
	HARK_MP_E_DUPLICATE_NAME,	/* a name seen before (when asked) */
	HARK_MP_E_TRANSFER_ENCODING,	/* Content-Transfer-Encoding not identity */
	HARK_MP_E_ABORTED,		/* a callback returned non-zero */
	HARK_MP_E_NOMEM,
	HARK_MP_E_USAGE			/* fed after finish or an error */
};

/* Limits; hark_mp_limits_default fills the values the service starts from. */
struct hark_mp_limits {
	size_t	 max_parts;		/* parts in one body, >= 1 */
	size_t	 max_header_line;	/* bytes of one header line, CRLF aside */
	size_t	 max_header_block;	/* bytes of a part's headers, CRLFs in */
	size_t	 max_preamble;		/* bytes before the first delimiter */
	bool	 unique_names;		/* a name twice is HARK_MP_E_DUPLICATE_NAME */
};

void	hark_mp_limits_default(struct hark_mp_limits *);

/* A fault: its code, the part (1-based, 0 for none) and what was wrong. */
struct hark_mp_error {
	enum hark_mp_code	 code;
	size_t			 part;
	char			 name[68];	/* the part's name when known, cut */
	char			 msg[256];	/* e.g. part 2 ("audio"): ... */
};

/* What a part said of itself; strings live until its part_end. */
struct hark_mp_part {
	size_t		 index;		/* 1-based */
	const char	*name;		/* never NULL nor empty */
	const char	*filename;	/* NULL when the part gives none */
	const char	*content_type;	/* NULL when the part gives none */
};

/*
 * Callbacks; any may be NULL.  A non-zero return stops the parse with
 * HARK_MP_E_ABORTED (the caller knows why).  data is a piece of the part's
 * bytes, valid only during the call; pieces come in order and are never
 * empty.  done is called once, from hark_mp_finish, when the body was whole.
 */
struct hark_mp_callbacks {
	int	(*part_begin)(void *arg, const struct hark_mp_part *);
	int	(*part_data)(void *arg, const struct hark_mp_part *,
		    const void *data, size_t n);
	int	(*part_end)(void *arg, const struct hark_mp_part *);
	int	(*done)(void *arg, size_t nparts);
};

struct hark_mp;

/*
 * Reads the boundary out of a Content-Type value into out (at least
 * HARK_MP_BOUNDARY_MAX + 1 bytes).  Returns 0, or -1 with err filled
 * (NOT_MULTIPART, NO_BOUNDARY or BAD_BOUNDARY).
 */
int	hark_mp_boundary(const char *content_type, char *out,
	    struct hark_mp_error *err);

/*
 * A parser for a body of the given Content-Type.  limits NULL means the
 * defaults.  Returns NULL with err filled when the Content-Type is refused
 * or memory is short.  The caller frees it with hark_mp_free.
 */
struct hark_mp *hark_mp_new(const char *content_type,
	    const struct hark_mp_limits *limits,
	    const struct hark_mp_callbacks *cb, void *arg,
	    struct hark_mp_error *err);

/* Feeds n more bytes.  Returns 0, or -1 once a fault is found (sticky). */
int	hark_mp_feed(struct hark_mp *, const void *data, size_t n);

/*
 * Says the body has ended.  Returns 0 after calling done when the body was
 * complete, or -1 (TRUNCATED, NO_DELIMITER, or the earlier fault).
 */
int	hark_mp_finish(struct hark_mp *);

/* The fault that stopped the parse (code HARK_MP_OK while there is none). */
const struct hark_mp_error *hark_mp_error(const struct hark_mp *);

/* A short stable name for a code ("multipart_truncated"), for API errors. */
const char *hark_mp_code_name(enum hark_mp_code);

void	hark_mp_free(struct hark_mp *);

#endif
