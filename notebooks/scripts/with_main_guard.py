"""The fix: code that starts processes runs only when this file is the program being run.

A spawned (or forkserver) child imports this module under the name "__mp_main__", so the
guarded block does not run again in the child. Keep worker functions at module level (or in a
package) so they can be imported.

The start method is chosen the way a program should choose it: once, under the guard, before
anything starts a process, with `multiprocessing.set_start_method("spawn")`. No `force=True`:
that is a notebook convenience (a kernel may already have a default from an earlier cell); in a
program a second call raising RuntimeError is a bug worth seeing. Without that line this script
would run its workers with the platform's default: fork on Linux and the other POSIX systems
but macOS up to Python 3.13, forkserver there from 3.14, spawn on macOS and Windows.
"""

import multiprocessing as mp

from helpers.workloads import count_primes


def main() -> None:
    with mp.Pool(2) as pool:
        counts = pool.starmap(count_primes, [(0, 5_000), (5_000, 10_000)])
    print("primes below 10,000:", sum(counts))
    print("start method:", mp.get_start_method())


if __name__ == "__main__":
    mp.set_start_method("spawn")
    main()
