/* handlers.h: placeholder until its module lands. */
