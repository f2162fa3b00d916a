/* prefork.c: placeholder until its module lands. */
