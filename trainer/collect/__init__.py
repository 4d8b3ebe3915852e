"""Building a data set: candidates from folders, URL lists or image search, verified, deduplicated, labelled."""
