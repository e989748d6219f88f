/* crash: a payload that dies of SIGSEGV (a VM's init must survive it). */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "crash: about to fault\n";
	if (write(1, msg, sizeof msg - 1) < 0)
		return 1;
	signal(SIGSEGV, SIG_DFL);
	return raise(SIGSEGV);
}
