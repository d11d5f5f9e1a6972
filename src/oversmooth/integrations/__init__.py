"""Optional integrations with the tools PyG users already log with.

* :mod:`oversmooth.integrations.lightning`: :class:`~oversmooth.integrations.lightning.ProbeCallback`,
  the probe inside ``lightning.Trainer.fit`` (extra ``oversmooth[lightning]``);
* :mod:`oversmooth.integrations.tensorboard`: TensorBoard event files from a probe and
  from a sweep's store (extra ``oversmooth[tensorboard]``).

Nothing is imported here: ``import oversmooth`` never loads Lightning or TensorBoard.
"""
