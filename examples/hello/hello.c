/* hello: the smallest payload. Prints one line and exits with the status
 * given as its first argument (default 0). */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char msg[] = "Hello from a tinyinit payload\n";

	if (write(1, msg, sizeof msg - 1) < 0)
		return 1;
	return argc > 1 ? atoi(argv[1]) : 0;
}
