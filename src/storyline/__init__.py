"""storyline: a source-attributed account of each news story."""
