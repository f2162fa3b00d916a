/* prefork.h: placeholder until its module lands. */
