"""The mistake: a script that starts a process at module level, without the __main__ guard.

Under spawn (Windows, macOS, and Linux when chosen) the child re-imports this file to find
`count_primes`; the import runs the module-level code again, which tries to start yet another
process, and multiprocessing stops it with a RuntimeError in the child.
"""

import multiprocessing as mp

from helpers.workloads import count_primes

context = mp.get_context("spawn")
worker = context.Process(target=count_primes, args=(0, 1000))
worker.start()
worker.join(timeout=60)
print("child exit code:", worker.exitcode)
