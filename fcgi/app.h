/* app.h: placeholder until its module lands. */
