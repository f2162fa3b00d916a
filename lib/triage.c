/* triage.c: placeholder until its module lands. */
