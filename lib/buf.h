/* buf.h: a growable byte buffer, the one way hark builds strings of unknown size. */
#ifndef HARK_BUF_H
#define HARK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct hark_buf {
	char	*data;	/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
};

/* All return 0, or -1 when memory runs out (the buffer is then unchanged). */
int	hark_buf_append(struct hark_buf *, const void *, size_t);
int	hark_buf_puts(struct hark_buf *, const char *);
int	hark_buf_printf(struct hark_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	hark_buf_vprintf(struct hark_buf *, const char *, va_list);
void	hark_buf_reset(struct hark_buf *);
void	hark_buf_free(struct hark_buf *);
/* Hands the bytes to the caller, who frees them; the buffer is left empty. */
char	*hark_buf_steal(struct hark_buf *);

#endif
