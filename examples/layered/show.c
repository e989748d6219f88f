/* show: the payload of examples/layered. Prints what it sees of the
 * assembled root: every file under the directories given (default /etc
 * and /app) with its first line, then its own PID and the root mount. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void walk(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0) {
		printf("  %s: (absent)\n", dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[4096], line[200] = "";
		const char *name = names[i]->d_name;
		struct stat st;
		if (name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(path);
			continue;
		}
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(line, sizeof line, f))
				line[strcspn(line, "\n")] = 0;
			fclose(f);
		}
		printf("  %-22s %s\n", path, line);
	}
}

int main(int argc, char **argv)
{
	printf("show: running as PID %d, what I see:\n", (int)getpid());
	if (argc > 1)
		for (int i = 1; i < argc; i++)
			walk(argv[i]);
	else {
		walk("/etc");
		walk("/app");
	}
	FILE *m = fopen("/proc/self/mountinfo", "r");
	char line[512];
	while (m && fgets(line, sizeof line, m))
		if (strstr(line, " / / "))
			printf("root mount: %s", strstr(line, " - ") + 3);
	if (m)
		fclose(m);
	return 0;
}
