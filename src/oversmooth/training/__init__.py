"""Full-batch training of the zoo: :func:`fit`, :func:`train`, :func:`seed_everything`."""

from .fit import FitResult, TrainingDiverged, fit, row_normalize, seed_everything, train

__all__ = ["FitResult", "TrainingDiverged", "fit", "train", "seed_everything", "row_normalize"]
