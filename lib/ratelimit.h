/* ratelimit.h: placeholder until its module lands. */
