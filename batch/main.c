/* main.c: placeholder until it lands. */
int main(void) { return 0; }
