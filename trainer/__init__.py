"""citybot trainer: data set, training, evaluation, model artifacts and inference."""
