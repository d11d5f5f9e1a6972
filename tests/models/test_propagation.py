import torch

from oversmooth.models.propagation import CachedAdjacency, normalized_adjacency


def test_cache_follows_the_tensor_not_its_address():
    cache = CachedAdjacency("gcn")
    first = torch.tensor([[0, 1], [1, 0]])
    a = cache(first, 3, torch.float32)
    assert cache(first, 3, torch.float32) is a  # same tensor: cached
    first[1, 0] = 2  # edited in place: rebuilt
    assert not torch.equal(cache(first, 3, torch.float32).to_dense(), a.to_dense())
    other = torch.tensor([[1, 2], [2, 1]])
    expected = normalized_adjacency(other, 3, "gcn").to_dense()
    assert torch.equal(cache(other, 3, torch.float32).to_dense(), expected)


def test_row_normalize_leaves_signed_features_alone():
    from torch_geometric.data import Data

    from oversmooth.training import row_normalize

    counts = Data(x=torch.tensor([[1.0, 3.0], [0.0, 0.0]]))
    assert torch.allclose(row_normalize(counts).x, torch.tensor([[0.25, 0.75], [0.0, 0.0]]))
    signed = Data(x=torch.tensor([[1.0, -1.0], [2.0, 0.5]]))
    assert row_normalize(signed) is signed
