/* transcribe_pocketsphinx.c: the offline transcriber: ffmpeg decodes, libpocketsphinx listens. */
#include "config.h"

#ifdef HAVE_POCKETSPHINX

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include "buf.h"
#include "conf.h"
#include "transcribe.h"

/*
 * What ffmpeg is asked for, and what pocketsphinx's en-us model was trained
 * on: 16 kHz, mono, signed 16-bit in the host's byte order.
 */
#define PS_RATE		16000
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PS_FORMAT	"s16be"
#define PS_CODEC	"pcm_s16be"
#else
#define PS_FORMAT	"s16le"
#define PS_CODEC	"pcm_s16le"
#endif
/* Bytes read from ffmpeg at once: 0.25 s of audio. */
#define PS_CHUNK	8000
/* ffmpeg's stderr kept for the error message; the rest is drained. */
#define PS_STDERR_MAX	512
/*
 * How an utterance is made, by measurement (tests/bench/transcribe, the
 * five LibriVox clips of pocketsphinx-testdata): a whole clip given to
 * pocketsphinx as one utterance (ps_process_raw's full_utt) has a word
 * error rate of 0.28; the same clip fed in chunks of 0.03 to 0.25 s, 0.31,
 * because the en-us model's cepstral mean normalisation is "batch": over a
 * whole utterance it is exact, live it starts from a prior that does not
 * fit the speaker.  So a recording is one utterance, and PCM is kept in a
 * window of at most [transcribe] max_utterance_seconds (20 s: 640 KB), not
 * whole: a longer one is cut at its quietest PS_PAUSE_MS in the last
 * PS_TAIL_DIV-th of the window, decoded, and the rest kept for the next.
 */
#define PS_PAUSE_MS	300
#define PS_FRAME	160		/* 10 ms: the model's frame rate */
#define PS_TAIL_DIV	3

struct ps_state {
	ps_decoder_t	*ps;
	char		*ffmpeg;
	int		 timeout;		/* seconds per file */
	size_t		 max_utt_samples;	/* the window; then a pause */
	char		 language[16];		/* the model's */
	char		 lasterr[160];		/* sphinxbase's last error */
};

/*
 * Where a probe child (ps_probe) sends sphinxbase's errors; -1 in hark's
 * own process.
 */
static int	probe_fd = -1;

/*
 * sphinxbase logs everything to stderr by default; hark keeps its own log
 * clean and keeps only the last error, for init's message.  The state is
 * process-wide (sphinxbase's logger is), so the callback's user data is the
 * buffer of the decoder being made.
 */
static void
ps_log(void *user, err_lvl_t lvl, const char *fmt, ...)
{
	char	*dst = user, line[160], *p;
	va_list	 ap;
	size_t	 n;

	if ((lvl != ERR_ERROR && lvl != ERR_FATAL) || fmt == NULL)
		return;
	if (dst == NULL)
		dst = line;
	va_start(ap, fmt);
	vsnprintf(dst, 160, fmt, ap);
	va_end(ap);
	n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
		dst[--n] = '\0';
	/* 'FATAL: "mdef.c", line 537: Version error...': the reason only. */
	if ((p = strstr(dst, "\", line ")) != NULL &&
	    (p = strstr(p, ": ")) != NULL) {
		n -= (size_t)(p + 2 - dst);
		memmove(dst, p + 2, n + 1);
	}
	if (probe_fd != -1) {
		(void)!write(probe_fd, dst, n);
		(void)!write(probe_fd, "\n", 1);
		/*
		 * E_FATAL exit()s after this: the probe leaves first, without
		 * running hark-batch's atexit handlers.
		 */
		if (lvl == ERR_FATAL)
			_exit(2);
	}
}

static void	ps_err(struct hark_backend_err *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
ps_err(struct hark_backend_err *err, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (err == NULL)
		return;
	n = snprintf(err->msg, sizeof(err->msg), "pocketsphinx: ");
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	err->retry_after_s = 0;
}

static void
psb_free(void *p)
{
	struct ps_state	*st = p;

	if (st == NULL)
		return;
	if (st->ps != NULL)
		ps_free(st->ps);
	err_set_callback(ps_log, NULL);
	free(st->ffmpeg);
	free(st);
}

/* A file init needs, checked first so the message names which is missing. */
static int
ps_need(const char *what, const char *path, int mode,
    struct hark_backend_err *err)
{
	if (path == NULL || path[0] == '\0') {
		ps_err(err, "no %s configured", what);
		return -1;
	}
	if (access(path, mode) == -1) {
		ps_err(err, "cannot %s %s %.120s: %s",
		    mode == X_OK ? "run" : "read", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * sphinxbase ends the process (E_FATAL: exit) on some bad model files
 * instead of returning an error, so the model is loaded first in a child:
 * only when that succeeds does hark-batch load it itself.  Returns 0, or
 * -1 with why (sphinxbase's last error, or "") in msg.
 */
static int
ps_probe(cmd_ln_t *cfg, char *msg, size_t msglen)
{
	char	 buf[1024], *line, *nl;
	size_t	 len = 0;
	ssize_t	 r;
	pid_t	 pid;
	int	 fds[2], status;

	msg[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		probe_fd = fds[1];
		_exit(ps_init(cfg) != NULL ? 0 : 1);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 &&
	    ((r = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
	    (r == -1 && errno == EINTR)))
		if (r > 0)
			len += (size_t)r;
	close(fds[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* The last line it wrote. */
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	line = buf;
	while ((nl = strchr(line, '\n')) != NULL)
		line = nl + 1;
	snprintf(msg, msglen, "%.159s", line);
	return -1;
}

static int
psb_init(const struct hark_conf *conf, void **state,
    struct hark_backend_err *err)
{
	struct ps_state	*st;
	cmd_ln_t	*cfg;
	char		 mdef[4096];

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		ps_err(err, "out of memory");
		return HARK_BACKEND_FAIL;
	}
	/* Nothing on stderr (cmd_ln prints its whole table there). */
	err_set_logfp(NULL);
	err_set_callback(ps_log, st->lasterr);
	snprintf(mdef, sizeof(mdef), "%s/mdef",
	    conf->transcribe_pocketsphinx_model);
	if (ps_need("ffmpeg", conf->transcribe_ffmpeg, X_OK, err) == -1 ||
	    ps_need("model", conf->transcribe_pocketsphinx_model, R_OK | X_OK,
	    err) == -1 ||
	    ps_need("model", mdef, R_OK, err) == -1 ||
	    ps_need("dictionary", conf->transcribe_pocketsphinx_dict, R_OK,
	    err) == -1 ||
	    ps_need("language model", conf->transcribe_pocketsphinx_lm, R_OK,
	    err) == -1)
		goto fail;
	cfg = cmd_ln_init(NULL, ps_args(), TRUE,
	    "-hmm", conf->transcribe_pocketsphinx_model,
	    "-dict", conf->transcribe_pocketsphinx_dict,
	    "-lm", conf->transcribe_pocketsphinx_lm,
	    NULL);
	if (cfg == NULL) {
		ps_err(err, "bad decoder settings%s%.160s",
		    st->lasterr[0] ? ": " : "", st->lasterr);
		goto fail;
	}
	if (ps_probe(cfg, st->lasterr, sizeof(st->lasterr)) == -1) {
		cmd_ln_free_r(cfg);
		ps_err(err, "cannot load the model%s%.160s",
		    st->lasterr[0] ? ": " : "", st->lasterr);
		goto fail;
	}
	/* ps_init keeps its own reference to cfg. */
	st->ps = ps_init(cfg);
	cmd_ln_free_r(cfg);
	if (st->ps == NULL) {
		ps_err(err, "cannot load the model%s%.160s",
		    st->lasterr[0] ? ": " : "", st->lasterr);
		goto fail;
	}
	if ((st->ffmpeg = strdup(conf->transcribe_ffmpeg)) == NULL) {
		ps_err(err, "out of memory");
		goto fail;
	}
	st->timeout = conf->transcribe_timeout;
	st->max_utt_samples = (size_t)conf->transcribe_max_utterance_seconds *
	    PS_RATE;
	snprintf(st->language, sizeof(st->language), "%s",
	    conf->transcribe_language[0] != '\0' ? conf->transcribe_language :
	    "en");
	*state = st;
	return HARK_BACKEND_OK;
fail:
	psb_free(st);
	return HARK_BACKEND_FAIL;
}

/* ------------------------------------------------------------ ffmpeg */

struct ffmpeg_child {
	pid_t	 pid;
	int	 out;		/* PCM */
	int	 errfd;		/* its stderr */
};

/* What the child writes on stderr when exec fails: no ffmpeg said that. */
#define EXEC_FAILED	"hark: exec failed\n"

/*
 * Starts ffmpeg on path: its stdin /dev/null, stdout and stderr pipes.
 * "file:" keeps a name that starts with '-' or looks like a URL a name.
 */
static int
ffmpeg_start(const char *ffmpeg, const char *path, struct ffmpeg_child *c,
    struct hark_backend_err *err)
{
	int	 outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull = -1;
	char	*input = NULL;
	size_t	 n;
	int	 fd;
	sigset_t none;

	c->pid = -1;
	c->out = c->errfd = -1;
	n = strlen(path) + sizeof("file:");
	if ((input = malloc(n)) == NULL) {
		ps_err(err, "out of memory");
		return HARK_BACKEND_RETRY;
	}
	snprintf(input, n, "file:%s", path);
	sigemptyset(&none);
	{
		char *const argv[] = {
			(char *)ffmpeg, "-nostdin", "-hide_banner",
			"-loglevel", "error", "-i", input,
			"-vn", "-sn", "-dn", "-ac", "1", "-ar", "16000",
			"-f", PS_FORMAT, "-acodec", PS_CODEC, "pipe:1", NULL
		};

		if (pipe2(outp, O_CLOEXEC) == -1 ||
		    pipe2(errp, O_CLOEXEC) == -1 ||
		    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
			ps_err(err, "cannot make ffmpeg's pipes: %s",
			    strerror(errno));
			goto fail;
		}
		if ((c->pid = fork()) == -1) {
			ps_err(err, "cannot start ffmpeg: %s",
			    strerror(errno));
			goto fail;
		}
		if (c->pid == 0) {
			/* Only async-signal-safe calls from here on. */
			if (dup2(devnull, 0) == -1 || dup2(outp[1], 1) == -1 ||
			    dup2(errp[1], 2) == -1)
				_exit(127);
			/* Not the database's socket nor anything else. */
			for (fd = 3; fd < 1024; fd++)
				(void)close(fd);
			/* ffmpeg's defaults, not hark-batch's handling. */
			signal(SIGPIPE, SIG_DFL);
			sigprocmask(SIG_SETMASK, &none, NULL);
			execv(ffmpeg, argv);
			(void)!write(2, EXEC_FAILED, sizeof(EXEC_FAILED) - 1);
			_exit(127);
		}
	}
	close(outp[1]);
	close(errp[1]);
	close(devnull);
	free(input);
	c->out = outp[0];
	c->errfd = errp[0];
	(void)fcntl(c->out, F_SETFL, O_NONBLOCK);
	(void)fcntl(c->errfd, F_SETFL, O_NONBLOCK);
	return HARK_BACKEND_OK;
fail:
	if (outp[0] != -1) {
		close(outp[0]);
		close(outp[1]);
	}
	if (errp[0] != -1) {
		close(errp[0]);
		close(errp[1]);
	}
	if (devnull != -1)
		close(devnull);
	free(input);
	return HARK_BACKEND_RETRY;
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Closes the pipes and reaps the child.  kill says whether it is killed
 * first (every path but a clean end of its output); a child that does not
 * exit by deadline is killed too.  Returns its wait status, or -1.
 */
static int
ffmpeg_finish(struct ffmpeg_child *c, int kill_it, double deadline)
{
	int	 status = -1;
	pid_t	 r;

	if (c->out != -1)
		close(c->out);
	if (c->errfd != -1)
		close(c->errfd);
	c->out = c->errfd = -1;
	if (c->pid <= 0)
		return -1;
	if (kill_it)
		(void)kill(c->pid, SIGKILL);
	for (;;) {
		r = waitpid(c->pid, &status, kill_it ? 0 : WNOHANG);
		if (r == c->pid)
			break;
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			status = -1;
			break;
		}
		if (now_s() >= deadline) {
			(void)kill(c->pid, SIGKILL);
			kill_it = 1;
			continue;
		}
		(void)poll(NULL, 0, 10);
	}
	c->pid = -1;
	return status;
}

/* ------------------------------------------------------------ decoding */

/* Decodes n samples as one utterance and appends what it heard to text. */
static int
utt_decode(ps_decoder_t *ps, const int16 *pcm, size_t n,
    struct hark_buf *text)
{
	const char	*hyp;
	int32		 score;

	/* Under 0.1 s nothing is said (and the front end wants frames). */
	if (n < PS_RATE / 10)
		return 0;
	if (ps_start_utt(ps) < 0)
		return -1;
	if (ps_process_raw(ps, pcm, n, FALSE, TRUE) < 0) {
		(void)ps_end_utt(ps);
		return -1;
	}
	if (ps_end_utt(ps) < 0)
		return -1;
	hyp = ps_get_hyp(ps, &score);
	if (hyp == NULL || hyp[0] == '\0')
		return 0;
	if (text->len > 0 && hark_buf_puts(text, " ") == -1)
		return -1;
	return hark_buf_puts(text, hyp);
}

/*
 * Where a full window of n samples is cut: the middle of its quietest
 * PS_PAUSE_MS (sum of squares over 10 ms frames) in the last
 * PS_TAIL_DIV-th, so a cut falls between words when there is a pause
 * there.  Always in (0, n].
 */
static size_t
pause_at(const int16 *pcm, size_t n)
{
	size_t		 nframes = n / PS_FRAME, first, f, i, best = nframes;
	size_t		 win = PS_PAUSE_MS / 10;
	double		 sum = 0, best_sum = 0;
	double		 e[PS_PAUSE_MS / 10];

	first = nframes - nframes / PS_TAIL_DIV;
	if (nframes < 2 * win || nframes - first < win)
		return n;
	for (f = first; f < nframes; f++) {
		double	 fe = 0;

		for (i = 0; i < PS_FRAME; i++) {
			double	 v = pcm[f * PS_FRAME + i];

			fe += v * v;
		}
		if (f - first >= win)
			sum -= e[(f - first) % win];
		e[(f - first) % win] = fe;
		sum += fe;
		if (f - first + 1 >= win && (best == nframes ||
		    sum < best_sum)) {
			best_sum = sum;
			best = f + 1 - win / 2;
		}
	}
	return best * PS_FRAME;
}

/*
 * ffmpeg's message without the file's name (a backend's message never
 * holds it): its first line, "file:<path>: " taken off.
 */
static void
ffmpeg_reason(char *msg, const char *path, char *out, size_t outlen)
{
	char	*p = msg, *nl;
	size_t	 plen = strlen(path);

	if (strncmp(p, "file:", 5) == 0 && strncmp(p + 5, path, plen) == 0 &&
	    p[5 + plen] == ':') {
		p += 5 + plen + 1;
		while (*p == ' ')
			p++;
	}
	if ((nl = strchr(p, '\n')) != NULL)
		*nl = '\0';
	plen = strnlen(p, outlen - 1);
	memcpy(out, p, plen);
	out[plen] = '\0';
}

static int
psb_transcribe(void *state, const char *path, const char *mime,
    const char *language, struct hark_transcript *out,
    struct hark_backend_err *err)
{
	struct ps_state		*st = state;
	struct ffmpeg_child	 c = { -1, -1, -1 };
	struct hark_buf		 text = { NULL, 0, 0 };
	struct stat		 sb;
	unsigned char		 pcm[PS_CHUNK + 1];
	char			 errbuf[PS_STDERR_MAX + 1], sink[512];
	char			 reason[160];
	int16			*win = NULL;
	size_t			 errlen = 0, have = 0, wlen = 0;
	double			 deadline = 0;
	int			 rc, status, kill_it = 1;
	int			 out_open, err_open;
	ssize_t			 r;

	(void)mime;
	(void)language;	/* the model has one language: [transcribe] language */
	if (stat(path, &sb) == -1) {
		ps_err(err, "cannot open the recording: %s", strerror(errno));
		return HARK_BACKEND_FAIL;
	}
	/* No audio at all is nothing said, not a file ffmpeg cannot read. */
	if (sb.st_size == 0)
		goto done;
	if ((win = malloc(st->max_utt_samples * sizeof(*win))) == NULL) {
		ps_err(err, "out of memory");
		return HARK_BACKEND_RETRY;
	}
	deadline = now_s() + st->timeout;
	if ((rc = ffmpeg_start(st->ffmpeg, path, &c, err)) !=
	    HARK_BACKEND_OK) {
		free(win);
		return rc;
	}
	rc = HARK_BACKEND_RETRY;
	out_open = err_open = 1;
	while (out_open || err_open) {
		struct pollfd	 pfd[2];
		nfds_t		 n = 0;
		int		 ms;
		double		 left = deadline - now_s();

		if (left <= 0) {
			ps_err(err, "decoding took longer than %d s "
			    "([transcribe] timeout)", st->timeout);
			goto out;
		}
		ms = left > 1.0 ? 1000 : (int)(left * 1000) + 1;
		if (out_open) {
			pfd[n].fd = c.out;
			pfd[n++].events = POLLIN;
		}
		if (err_open) {
			pfd[n].fd = c.errfd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, ms) == -1) {
			if (errno == EINTR)
				continue;
			ps_err(err, "poll: %s", strerror(errno));
			goto out;
		}
		if (out_open) {
			r = read(c.out, pcm + have, PS_CHUNK - have);
			if (r == 0)
				out_open = 0;
			else if (r == -1 && errno != EAGAIN && errno != EINTR) {
				ps_err(err, "reading ffmpeg: %s",
				    strerror(errno));
				goto out;
			} else if (r > 0) {
				size_t	 nsamp, off = 0, k, cut;

				have += (size_t)r;
				nsamp = have / 2;
				while (off < nsamp) {
					k = st->max_utt_samples - wlen;
					if (k > nsamp - off)
						k = nsamp - off;
					memcpy(win + wlen, pcm + off * 2,
					    k * 2);
					wlen += k;
					off += k;
					if (wlen < st->max_utt_samples)
						break;
					/* A full window: one utterance. */
					cut = pause_at(win, wlen);
					if (utt_decode(st->ps, win, cut,
					    &text) == -1) {
						ps_err(err, "decoding failed");
						goto out;
					}
					memmove(win, win + cut,
					    (wlen - cut) * sizeof(*win));
					wlen -= cut;
				}
				/* An odd byte waits for its other half. */
				if (have % 2 != 0)
					pcm[0] = pcm[have - 1];
				have %= 2;
			}
		}
		if (err_open) {
			char	*dst = errlen < PS_STDERR_MAX ?
			    errbuf + errlen : sink;
			size_t	 room = errlen < PS_STDERR_MAX ?
			    PS_STDERR_MAX - errlen : sizeof(sink);

			r = read(c.errfd, dst, room);
			if (r == 0)
				err_open = 0;
			else if (r > 0 && dst != sink)
				errlen += (size_t)r;
		}
	}
	kill_it = 0;
	status = ffmpeg_finish(&c, 0, deadline);
	errbuf[errlen] = '\0';
	if (status == -1 || WIFSIGNALED(status)) {
		ps_err(err, "ffmpeg was killed (signal %d)",
		    status == -1 ? 0 : WTERMSIG(status));
		goto out;
	}
	if (WEXITSTATUS(status) != 0) {
		rc = HARK_BACKEND_FAIL;
		if (strncmp(errbuf, EXEC_FAILED, sizeof(EXEC_FAILED) - 1) ==
		    0) {
			ps_err(err, "cannot run ffmpeg (%.120s)", st->ffmpeg);
			goto out;
		}
		ffmpeg_reason(errbuf, path, reason, sizeof(reason));
		ps_err(err, "ffmpeg cannot decode the recording%s%s",
		    reason[0] != '\0' ? ": " : "", reason);
		goto out;
	}
	if (utt_decode(st->ps, win, wlen, &text) == -1) {
		ps_err(err, "decoding failed");
		goto out;
	}
	free(win);
	win = NULL;
done:
	if (text.data == NULL && hark_buf_puts(&text, "") == -1) {
		ps_err(err, "out of memory");
		return HARK_BACKEND_RETRY;
	}
	out->len = text.len;
	out->text = hark_buf_steal(&text);
	snprintf(out->language, sizeof(out->language), "%s", st->language);
	return HARK_BACKEND_OK;
out:
	if (c.pid > 0 || c.out != -1)
		(void)ffmpeg_finish(&c, kill_it, deadline);
	free(win);
	hark_buf_free(&text);
	return rc;
}

const struct hark_transcriber_ops hark_transcriber_pocketsphinx = {
	"pocketsphinx", psb_init, psb_transcribe, psb_free
};

#endif /* HAVE_POCKETSPHINX */
