"""Named errors of the trainer."""


class TrainerError(Exception):
    """Base of every trainer error."""


class ModelLoadError(TrainerError):
    """A version directory is missing, incomplete or inconsistent; the message says what."""


class DatasetError(TrainerError):
    """The label store cannot make a training set (e.g. a city has too few photos); the message names them."""


class ArchitectureError(TrainerError):
    """An architecture is unknown or its weights cannot be had (e.g. offline); the message says what to do."""


class TrainingBusy(TrainerError):
    """Another training run holds the lock."""
