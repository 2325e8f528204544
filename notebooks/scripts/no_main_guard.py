"""The mistake: a script that starts a process at module level, without the __main__ guard.

Under spawn (the default on Windows and macOS) and forkserver (Linux's default from Python 3.14)
the child re-imports this file to find `count_primes`; the import runs the module-level code
again, which tries to start yet another process, and multiprocessing stops it with a
RuntimeError in the child. Under fork (Linux's default up to 3.13) the child is a copy and
imports nothing, so the same script appears to work there, until it meets another platform or
Python 3.14.
"""

import multiprocessing as mp

from helpers.workloads import count_primes

context = mp.get_context("spawn")
worker = context.Process(target=count_primes, args=(0, 1000))
worker.start()
worker.join(timeout=60)
print("child exit code:", worker.exitcode)
