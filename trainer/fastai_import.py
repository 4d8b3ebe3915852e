"""fastai imported once, quietly: it decorates with the deprecated `torch.jit.script` at import time."""

import warnings

with warnings.catch_warnings():
    # fastai.layers uses @torch.jit.script; the FutureWarning is theirs, and pytest turns warnings into errors.
    warnings.simplefilter("ignore", FutureWarning)
    import fastai.vision.all  # noqa: F401  (loads every submodule we use below, once)
    from fastai.vision import learner as fastai_learner  # noqa: F401
