/* noop: a static payload that does nothing (benchmarks). */
int main(void)
{
	return 0;
}
