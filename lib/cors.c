/* cors.c: placeholder until its module lands. */
