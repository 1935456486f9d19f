"""`python -m optimizer.warm`: after it, every numba kernel of the solver
has been compiled for the argument types a solve passes."""

from __future__ import annotations


def test_warming_compiles_every_kernel_of_the_solver():
    from optimizer.solve import activity_search, agentdp_kernel, chains, stretches
    from optimizer.warm import warm

    warm(seconds=1.0)
    kernels = (
        agentdp_kernel.programme,
        stretches.sequence_programme,
        activity_search._respond,
        chains._reach,
    )
    assert all(k.signatures for k in kernels), [k.__name__ for k in kernels if not k.signatures]
