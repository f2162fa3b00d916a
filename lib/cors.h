/* cors.h: placeholder until its module lands. */
