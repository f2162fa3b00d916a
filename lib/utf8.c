/* utf8.c: placeholder until its module lands. */
