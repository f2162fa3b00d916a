/* server.c: placeholder until its module lands. */
