import pytest
import torch


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    # tiny matmuls: with several threads on a loaded machine they spin (measured 60x slower)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
