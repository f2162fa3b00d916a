/* ratelimit.c: placeholder until its module lands. */
