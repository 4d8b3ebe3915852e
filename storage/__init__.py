"""citybot's label store: database models, sessions and image files. Imports nothing else of ours."""
