/* conf.c: placeholder until its module lands. */
