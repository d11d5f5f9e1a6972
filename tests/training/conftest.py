"""One torch thread for the training tests: on the shared 2-core CI machine, OpenMP barriers
under oversubscription made a 64-layer epoch ~15x slower with 2 threads than with 1."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
