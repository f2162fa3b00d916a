/* http.c: placeholder until its module lands. */
