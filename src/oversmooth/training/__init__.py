"""Full-batch training of the zoo.

* :func:`train` -- the one entry point: build a zoo model by name, seed it, fit it;
  returns :class:`Trained` ``(model, result)``;
* :func:`build_seeded` -- the untrained model of a seed (the state ``train`` starts from);
* :func:`fit` -- the training loop for any model; :class:`FitResult`;
* :func:`seed_everything`, :func:`row_normalize`.
"""

from .entry import Trained, build_seeded, train
from .fit import FitResult, TrainingDiverged, fit, row_normalize, seed_everything

__all__ = ["train", "build_seeded", "Trained", "FitResult", "TrainingDiverged", "fit", "seed_everything",
           "row_normalize"]
