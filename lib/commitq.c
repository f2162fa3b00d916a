/*
 * commitq.c: the commit queue's frames (encode, decode) and the worker's
 * client of the writer process.  See commitq.h for the format.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "commitq.h"
#include "ids.h"
#include "log.h"
#include "vocab.h"

#define NULL_LEN	0xffffffffu

/* ---- encoding ---- */

static int
put_u32(struct hark_buf *b, uint32_t v)
{
	unsigned char	 c[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    (v >> 24) & 0xff };

	return hark_buf_append(b, c, 4);
}

static int
put_u64(struct hark_buf *b, uint64_t v)
{
	return put_u32(b, (uint32_t)v) == -1 ||
	    put_u32(b, (uint32_t)(v >> 32)) == -1 ? -1 : 0;
}

static int
put_str(struct hark_buf *b, const char *s, size_t len)
{
	if (s == NULL)
		return put_u32(b, NULL_LEN);
	if (len >= HARK_CQ_FRAME_MAX)
		return -1;
	return put_u32(b, (uint32_t)len) == -1 ||
	    (len > 0 && hark_buf_append(b, s, len) == -1) ? -1 : 0;
}

static int
put_cstr(struct hark_buf *b, const char *s)
{
	return put_str(b, s, s != NULL ? strlen(s) : 0);
}

static int
put_dbl(struct hark_buf *b, double d)
{
	uint64_t	 v;

	memcpy(&v, &d, sizeof(v));
	return put_u64(b, v);
}

/* Starts a frame: its length is patched in by frame_end. */
static int
frame_begin(struct hark_buf *b, size_t *at, int type)
{
	*at = b->len;
	return put_u32(b, 0) == -1 || put_u32(b, HARK_CQ_MAGIC) == -1 ||
	    hark_buf_append(b, &(unsigned char){ (unsigned char)type }, 1) == -1 ?
	    -1 : 0;
}

static int
frame_end(struct hark_buf *b, size_t at)
{
	size_t	 n = b->len - at - 4;

	if (n > HARK_CQ_FRAME_MAX)
		return -1;
	b->data[at] = (char)(n & 0xff);
	b->data[at + 1] = (char)((n >> 8) & 0xff);
	b->data[at + 2] = (char)((n >> 16) & 0xff);
	b->data[at + 3] = (char)((n >> 24) & 0xff);
	return 0;
}

/* An empty inline string travels as NULL: the decoder leaves it "". */
static const char *
inline_or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/* A multipart submission's rows besides fb; a lone row says 0 of them. */
static int
put_parts(struct hark_buf *b, const struct hark_store_submission *s)
{
	const struct hark_store_media	*m;
	size_t				 i;

	if (s == NULL)
		return put_u32(b, 0);
	if (put_u32(b, 1) == -1 || put_u32(b, (uint32_t)s->nmedia) == -1)
		return -1;
	for (i = 0; i < s->nmedia; i++) {
		m = &s->media[i];
		if (put_cstr(b, m->id) == -1 || put_cstr(b, m->kind) == -1 ||
		    put_cstr(b, m->relpath) == -1 ||
		    put_cstr(b, m->mime) == -1 ||
		    put_u64(b, m->bytes) == -1 ||
		    put_str(b, (const char *)m->sha256, 32) == -1 ||
		    put_u64(b, (uint64_t)m->duration_ms) == -1)
			return -1;
	}
	if (put_u32(b, (uint32_t)s->njobs) == -1)
		return -1;
	for (i = 0; i < s->njobs; i++)
		if (put_cstr(b, s->jobs[i].id) == -1 ||
		    put_cstr(b, s->jobs[i].kind) == -1)
			return -1;
	return put_cstr(b, s->session_status) == -1 ||
	    put_str(b, s->identity, s->identity_len) == -1 ||
	    put_u32(b, (uint32_t)s->session_ttl) == -1 ? -1 : 0;
}

int
hark_cq_encode_submit(struct hark_buf *out, const struct hark_feedback *fb,
    const char *key, int status, const char *body, size_t body_len,
    const struct hark_store_submission *parts)
{
	size_t	 at, keep = out->len;

	if (parts != NULL && parts->fb != fb)
		return -1;

	if (frame_begin(out, &at, HARK_CQ_SUBMIT) == -1 ||
	    put_cstr(out, fb->id) == -1 ||
	    put_cstr(out, fb->project_id) == -1 ||
	    put_cstr(out, inline_or_null(fb->source_id)) == -1 ||
	    put_cstr(out, inline_or_null(fb->session_id)) == -1 ||
	    put_cstr(out, fb->channel) == -1 ||
	    put_str(out, fb->text, fb->text_len) == -1 ||
	    put_str(out, fb->page, fb->page_len) == -1 ||
	    put_str(out, fb->user_email, fb->user_email_len) == -1 ||
	    put_str(out, fb->user_id, fb->user_id_len) == -1 ||
	    put_str(out, fb->user_name, fb->user_name_len) == -1 ||
	    put_str(out, fb->user_traits, fb->user_traits_len) == -1 ||
	    put_str(out, fb->metadata, fb->metadata_len) == -1 ||
	    put_str(out, fb->context, fb->context_len) == -1 ||
	    put_str(out, fb->extra, fb->extra_len) == -1 ||
	    put_cstr(out, inline_or_null(fb->locale)) == -1 ||
	    put_cstr(out, inline_or_null(fb->language)) == -1 ||
	    put_str(out, fb->has_content_hash ?
	    (const char *)fb->content_hash : NULL, 32) == -1 ||
	    put_cstr(out, fb->category) == -1 ||
	    put_cstr(out, fb->sentiment) == -1 ||
	    put_cstr(out, fb->triaged_by) == -1 ||
	    put_cstr(out, fb->status) == -1 ||
	    put_cstr(out, fb->created_at) == -1 ||
	    put_u64(out, (uint64_t)fb->audio_duration_ms) == -1 ||
	    put_u32(out, (uint32_t)fb->spam) == -1 ||
	    put_u32(out, fb->quarantined ? 1 : 0) == -1 ||
	    put_u32(out, (uint32_t)fb->impact) == -1 ||
	    put_dbl(out, fb->sentiment_score) == -1 ||
	    put_dbl(out, fb->triage_confidence) == -1 ||
	    put_cstr(out, key) == -1 ||
	    put_u32(out, (uint32_t)status) == -1 ||
	    put_str(out, key != NULL ? body : NULL, body_len) == -1 ||
	    put_parts(out, parts) == -1 ||
	    frame_end(out, at) == -1) {
		out->len = keep;
		if (out->data != NULL)
			out->data[keep] = '\0';
		return -1;
	}
	return 0;
}

int
hark_cq_encode_answer(struct hark_buf *out, const char *id, int rc,
    unsigned int err, const char *msg)
{
	size_t	 at, keep = out->len;

	if (frame_begin(out, &at, HARK_CQ_ANSWER) == -1 ||
	    put_cstr(out, id) == -1 || put_u32(out, (uint32_t)rc) == -1 ||
	    put_u32(out, err) == -1 || put_cstr(out, msg) == -1 ||
	    frame_end(out, at) == -1) {
		out->len = keep;
		return -1;
	}
	return 0;
}

/* ---- decoding ---- */

struct rd {
	const unsigned char	*p;
	size_t			 left;
	int			 bad;
};

static uint32_t
get_u32(struct rd *r)
{
	uint32_t	 v;

	if (r->bad || r->left < 4) {
		r->bad = 1;
		return 0;
	}
	v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 |
	    (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return v;
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t	 lo = get_u32(r);

	return lo | (uint64_t)get_u32(r) << 32;
}

static double
get_dbl(struct rd *r)
{
	uint64_t	 v = get_u64(r);
	double		 d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

/* A string borrowed from the frame: *s NULL when it is NULL. */
static void
get_str(struct rd *r, const char **s, size_t *len)
{
	uint32_t	 n = get_u32(r);

	*s = NULL;
	*len = 0;
	if (r->bad || n == NULL_LEN)
		return;
	if (n > r->left) {
		r->bad = 1;
		return;
	}
	*s = (const char *)r->p;
	*len = n;
	r->p += n;
	r->left -= n;
}

static char *
get_text(struct rd *r, size_t *len)
{
	const char	*s;

	get_str(r, &s, len);
	/* Borrowed and only read (see struct hark_feedback in store.h). */
	return (char *)(uintptr_t)s;
}

/*
 * A string copied into dst (size bytes), NUL-free; NULL leaves "".
 * required: NULL is bad.
 */
static void
get_inline(struct rd *r, char *dst, size_t size, int required)
{
	const char	*s;
	size_t		 n;

	dst[0] = '\0';
	get_str(r, &s, &n);
	if (r->bad)
		return;
	if (s == NULL) {
		r->bad |= required;
		return;
	}
	if (n == 0 || n >= size || memchr(s, '\0', n) != NULL) {
		r->bad = 1;
		return;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* One of the list's static names, or NULL (bad unless nullable). */
static const char *
get_name(struct rd *r, const char *const *list, int nullable)
{
	char		 tmp[64];
	const char	*s;
	size_t		 n;

	get_str(r, &s, &n);
	if (r->bad)
		return NULL;
	if (s == NULL) {
		r->bad |= !nullable;
		return NULL;
	}
	if (n >= sizeof(tmp)) {
		r->bad = 1;
		return NULL;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if ((s = hark_vocab_intern(list, tmp, NULL)) == NULL ||
	    strlen(tmp) != n)
		r->bad = 1;
	return s;
}

static int
get_header(struct rd *r, int type)
{
	if (get_u32(r) != HARK_CQ_MAGIC || r->bad || r->left < 1 ||
	    r->p[0] != type)
		return -1;
	r->p++;
	r->left--;
	return 0;
}

static const char *const media_kinds[] = { "audio", "screenshot", NULL };
static const char *const job_kinds[] = { "transcribe", "enrich", NULL };
static const char *const session_states[] = { "processing", "done", NULL };

/*
 * One file's media row.  Its path and type are checked as the reading path
 * checks them (lib/media.h): the writer stores what a worker made, and a
 * frame is no more trusted than a request.
 */
static void
get_media(struct rd *r, struct hark_cq_sub *out, size_t i)
{
	struct hark_store_media	*m = &out->parts.media[i];
	char			 mime[HARK_MEDIA_TYPE_MAX];
	const char		*sha;
	size_t			 sha_len;

	get_inline(r, m->id, sizeof(m->id), 1);
	m->kind = get_name(r, media_kinds, 0);
	get_inline(r, out->relpath[i], sizeof(out->relpath[i]), 1);
	m->relpath = out->relpath[i];
	get_inline(r, mime, sizeof(mime), 1);
	m->bytes = get_u64(r);
	get_str(r, &sha, &sha_len);
	m->duration_ms = (long long)get_u64(r);
	if (r->bad)
		return;
	if (!hark_id_valid(HARK_ID_MEDIA, m->id) ||
	    !hark_media_relpath_valid(m->relpath) ||
	    (m->mime = hark_media_type_static(mime)) == NULL ||
	    sha == NULL || sha_len != 32 || m->duration_ms < -1) {
		r->bad = 1;
		return;
	}
	memcpy(out->sha256[i], sha, 32);
	m->sha256 = out->sha256[i];
}

static void
get_parts(struct rd *r, struct hark_cq_sub *out)
{
	struct hark_store_submission	*s = &out->parts;
	size_t				 i;

	switch (get_u32(r)) {
	case 0:
		return;
	case 1:
		break;
	default:
		r->bad = 1;
		return;
	}
	out->has_parts = 1;
	s->fb = &out->fb;
	if ((s->nmedia = get_u32(r)) > HARK_STORE_MAX_MEDIA) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < s->nmedia && !r->bad; i++)
		get_media(r, out, i);
	if ((s->njobs = get_u32(r)) > HARK_STORE_MAX_JOBS) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < s->njobs && !r->bad; i++) {
		get_inline(r, s->jobs[i].id, sizeof(s->jobs[i].id), 1);
		s->jobs[i].kind = get_name(r, job_kinds, 0);
		if (!r->bad && !hark_id_valid(HARK_ID_JOB, s->jobs[i].id))
			r->bad = 1;
	}
	s->session_status = get_name(r, session_states, 0);
	get_str(r, &s->identity, &s->identity_len);
	s->session_ttl = (int32_t)get_u32(r);
	if (s->session_ttl < 0)
		r->bad = 1;
}

int
hark_cq_decode_submit(const unsigned char *p, size_t len,
    struct hark_cq_sub *out)
{
	struct rd		 r = { p, len, 0 };
	struct hark_feedback	*fb = &out->fb;
	const char		*hash, *key;
	size_t			 hash_len, key_len, i;

	memset(out, 0, sizeof(*out));
	if (get_header(&r, HARK_CQ_SUBMIT) == -1)
		return -1;
	get_inline(&r, fb->id, sizeof(fb->id), 1);
	get_inline(&r, fb->project_id, sizeof(fb->project_id), 1);
	get_inline(&r, fb->source_id, sizeof(fb->source_id), 0);
	get_inline(&r, fb->session_id, sizeof(fb->session_id), 0);
	fb->channel = get_name(&r, hark_vocab_channel, 0);
	fb->text = get_text(&r, &fb->text_len);
	fb->page = get_text(&r, &fb->page_len);
	fb->user_email = get_text(&r, &fb->user_email_len);
	fb->user_id = get_text(&r, &fb->user_id_len);
	fb->user_name = get_text(&r, &fb->user_name_len);
	fb->user_traits = get_text(&r, &fb->user_traits_len);
	fb->metadata = get_text(&r, &fb->metadata_len);
	fb->context = get_text(&r, &fb->context_len);
	fb->extra = get_text(&r, &fb->extra_len);
	get_inline(&r, fb->locale, sizeof(fb->locale), 0);
	get_inline(&r, fb->language, sizeof(fb->language), 0);
	get_str(&r, &hash, &hash_len);
	if (hash != NULL) {
		if (hash_len != sizeof(fb->content_hash))
			r.bad = 1;
		else {
			memcpy(fb->content_hash, hash, hash_len);
			fb->has_content_hash = true;
		}
	}
	fb->category = get_name(&r, hark_vocab_category, 0);
	fb->sentiment = get_name(&r, hark_vocab_sentiment, 0);
	fb->triaged_by = get_name(&r, hark_vocab_triaged_by, 1);
	fb->status = get_name(&r, hark_vocab_status, 0);
	get_inline(&r, fb->created_at, sizeof(fb->created_at), 1);
	fb->audio_duration_ms = (long long)get_u64(&r);
	fb->spam = (int32_t)get_u32(&r);
	switch (get_u32(&r)) {
	case 0:
		break;
	case 1:
		fb->quarantined = true;
		break;
	default:
		r.bad = 1;
	}
	fb->impact = (int32_t)get_u32(&r);
	fb->sentiment_score = get_dbl(&r);
	fb->triage_confidence = get_dbl(&r);
	fb->priority = -1;
	get_str(&r, &key, &key_len);
	out->idem_status = (int32_t)get_u32(&r);
	get_str(&r, &out->idem_body, &out->idem_body_len);
	get_parts(&r, out);
	if (r.bad || r.left != 0 || fb->text == NULL ||
	    !hark_id_valid(HARK_ID_FEEDBACK, fb->id) ||
	    fb->spam < -1 || fb->spam > 1 || fb->audio_duration_ms < -1)
		return -1;
	if (key != NULL) {
		if (key_len == 0 || key_len > HARK_IDEM_KEY_MAX ||
		    out->idem_body == NULL || out->idem_status < 200 ||
		    out->idem_status > 299)
			return -1;
		/* hark_idem_key_valid's rule: printable ASCII. */
		for (i = 0; i < key_len; i++)
			if (key[i] < 0x20 || key[i] > 0x7e)
				return -1;
		memcpy(out->idem_key, key, key_len);
		out->idem_key[key_len] = '\0';
	} else if (out->idem_body != NULL)
		return -1;
	if (out->has_parts && out->idem_key[0] != '\0') {
		out->parts.idem_key = out->idem_key;
		out->parts.idem_status = out->idem_status;
		out->parts.idem_body = out->idem_body;
		out->parts.idem_len = out->idem_body_len;
	}
	return 0;
}

int
hark_cq_decode_answer(const unsigned char *p, size_t len, char *id, int *rc,
    unsigned int *err, char *msg, size_t msgsize)
{
	struct rd	 r = { p, len, 0 };
	const char	*s;
	size_t		 n;

	msg[0] = '\0';
	if (get_header(&r, HARK_CQ_ANSWER) == -1)
		return -1;
	get_inline(&r, id, HARK_ID_SIZE, 1);
	*rc = (int32_t)get_u32(&r);
	*err = get_u32(&r);
	get_str(&r, &s, &n);
	if (r.bad || r.left != 0 || (s != NULL && (n == 0 || n >= msgsize ||
	    memchr(s, '\0', n) != NULL)))
		return -1;
	if (s != NULL) {
		memcpy(msg, s, n);
		msg[n] = '\0';
	}
	return 0;
}

long
hark_cq_frame(const unsigned char *buf, size_t len)
{
	uint32_t	 n;

	if (len < 4)
		return 0;
	n = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
	    (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
	if (n > HARK_CQ_FRAME_MAX)
		return -1;
	return len - 4 >= n ? (long)n + 4 : 0;
}

/* ---- the worker's client ---- */

struct hark_cq_client {
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int		 fd;
	int		 timeout_ms;
	unsigned int	 err;		/* the writer's, with its last answer */
	char		 msg[512];
	struct hark_buf	 out;
	unsigned char	*in;
	size_t		 in_len, in_cap;
};

struct hark_cq_client *
hark_cq_client_new(const char *path, int timeout_ms)
{
	struct hark_cq_client	*c;

	if (strlen(path) >= sizeof(c->path) || (c = calloc(1, sizeof(*c))) ==
	    NULL)
		return NULL;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	return c;
}

static void
client_close(struct hark_cq_client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->in_len = 0;
}

void
hark_cq_client_free(struct hark_cq_client *c)
{
	if (c == NULL)
		return;
	client_close(c);
	hark_buf_free(&c->out);
	free(c->in);
	free(c);
}

static int
client_connect(struct hark_cq_client *c)
{
	struct sockaddr_un	 sun;

	if (c->fd != -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, c->path, strlen(c->path));
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		client_close(c);
		return -1;
	}
	return 0;
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static int
client_send(struct hark_cq_client *c, const struct timespec *deadline)
{
	size_t		 off = 0;
	ssize_t		 n;
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLOUT };
	long		 left;

	while (off < c->out.len) {
		n = send(c->fd, c->out.data + off, c->out.len - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if ((left = ms_left(deadline)) <= 0 ||
		    poll(&pfd, 1, (int)left) == 0)
			return -1;
	}
	return 0;
}

/* Reads the answer frame: its payload length, or -1. */
static long
client_recv(struct hark_cq_client *c, const struct timespec *deadline)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLIN };
	long		 whole, left;
	ssize_t		 n;
	unsigned char	*p;

	c->in_len = 0;
	/* The answer comes after a commit: a recv at once finds nothing. */
	if ((left = ms_left(deadline)) <= 0 ||
	    (poll(&pfd, 1, (int)left) == -1 && errno != EINTR))
		return -1;
	for (;;) {
		if ((whole = hark_cq_frame(c->in, c->in_len)) != 0)
			return whole == -1 ? -1 : whole - 4;
		if (c->in_cap - c->in_len < 512) {
			if ((p = realloc(c->in, c->in_cap + 4096)) == NULL)
				return -1;
			c->in = p;
			c->in_cap += 4096;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len,
		    MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			continue;
		}
		if (n == 0)
			return -1;	/* the writer is gone */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if ((left = ms_left(deadline)) <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return -1;
	}
}

int
hark_cq_submit(struct hark_cq_client *c, const struct hark_feedback *fb,
    const char *key, int status, const char *body, size_t body_len,
    const struct hark_store_submission *parts, int *rc)
{
	struct timespec	 deadline;
	char		 id[HARK_ID_SIZE];
	long		 n;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += c->timeout_ms / 1000;
	deadline.tv_nsec += (long)(c->timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	hark_buf_reset(&c->out);
	if (hark_cq_encode_submit(&c->out, fb, key, status, body,
	    body_len, parts) == -1)
		return -1;
	if (client_connect(c) == -1)
		return -1;
	/*
	 * A connection the writer closed since the last request (it was
	 * replaced) fails here or in recv: either way this one is answered
	 * on the direct path, and the next request connects anew.
	 */
	if (client_send(c, &deadline) == -1 ||
	    (n = client_recv(c, &deadline)) < 0 ||
	    hark_cq_decode_answer(c->in + 4, (size_t)n, id, rc, &c->err,
	    c->msg, sizeof(c->msg)) == -1 ||
	    strcmp(id, fb->id) != 0) {
		hark_log(HARK_LOG_WARN, "commit queue: no answer for %s from "
		    "the writer (%s); filing it directly", fb->id,
		    errno != 0 ? strerror(errno) : "closed");
		client_close(c);
		return -1;
	}
	return 0;
}

const char *
hark_cq_error(const struct hark_cq_client *c, unsigned int *err)
{
	*err = c->err;
	return c->msg[0] != '\0' ? c->msg : "no error";
}
