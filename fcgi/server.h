/* server.h: placeholder until its module lands. */
