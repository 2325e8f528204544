"""The fix: code that starts processes runs only when this file is the program being run.

A spawned child imports this module under the name "__mp_main__", so the guarded block does not
run again in the child. Keep worker functions at module level (or in a package) so they can be
imported.
"""

import multiprocessing as mp

from helpers.workloads import count_primes


def main() -> None:
    with mp.get_context("spawn").Pool(2) as pool:
        counts = pool.starmap(count_primes, [(0, 5_000), (5_000, 10_000)])
    print("primes below 10,000:", sum(counts))


if __name__ == "__main__":
    main()
