import torch


def test_row_normalize_leaves_signed_features_alone():
    from torch_geometric.data import Data

    from oversmooth.training import row_normalize

    counts = Data(x=torch.tensor([[1.0, 3.0], [0.0, 0.0]]))
    assert torch.allclose(row_normalize(counts).x, torch.tensor([[0.25, 0.75], [0.0, 0.0]]))
    signed = Data(x=torch.tensor([[1.0, -1.0], [2.0, 0.5]]))
    assert row_normalize(signed) is signed
