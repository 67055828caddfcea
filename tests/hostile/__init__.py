"""Hostile input, crashes and faults (issue 8): nothing executes, nothing is lost, errors clear."""
