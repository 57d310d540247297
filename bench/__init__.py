"""The benchmark: `make bench SCALE=small|national` (see bench/__main__.py)."""
